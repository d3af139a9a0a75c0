// RFC 9457 problem details: every error answer is `application/problem+json` with a stable `type`
// (urn:kestrel:problem:<code>) and, for bad input, every invalid field at once.

/** One invalid input: where (`body.price.amountMinor`, `query.limit`, `path.productId`) and why. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An error answer a handler gives on purpose. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    /** Extension members (RFC 9457 §3.2): `errors`, `unknownProductIds`… */
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }

  body(instance: string): Record<string, unknown> {
    return {
      type: `urn:kestrel:problem:${this.code}`,
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      instance,
      ...this.extensions,
    };
  }
}

/** 400 listing every invalid field. */
export function validationProblem(errors: readonly FieldError[]): HttpProblem {
  return new HttpProblem(400, 'validation-failed', 'The request is invalid', `${errors.length} invalid ${errors.length === 1 ? 'field' : 'fields'}`, { errors });
}
