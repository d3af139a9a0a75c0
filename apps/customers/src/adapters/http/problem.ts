// RFC 9457 problem details: every error answer is `application/problem+json` with a stable
// `type` clients can branch on and, for bad input, every invalid field at once.

/** One invalid input: where (`body.address.country`, `query.limit`, `header.if-match`, `path.customerId`) and why. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_PREFIX = 'urn:kestrel:problem:';

/** An error answer an HTTP handler gives on purpose. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    /** Stable, kebab-case: `validation-failed`, `customer-not-found`… (the `type` is `urn:kestrel:problem:<code>`). */
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    /** Extension members (RFC 9457 §3.2): `errors`, `rejected`, `currentVersion`… */
    readonly extensions: Readonly<Record<string, unknown>> = {},
    /** Extra response headers (e.g. the current `ETag` on a 412). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }

  /** The problem document. */
  body(instance: string): Record<string, unknown> {
    return {
      type: `${TYPE_PREFIX}${this.code}`,
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
  return new HttpProblem(400, 'validation-failed', 'The request is invalid', `${errors.length} invalid ${errors.length === 1 ? 'field' : 'fields'}`, {
    errors,
  });
}
