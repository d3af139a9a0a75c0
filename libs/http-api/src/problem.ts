// RFC 9457 problem details: every error answer of a kestrel HTTP API is `application/problem+json`
// with a stable `type` clients branch on and, for bad input, every invalid field at once.

/** One invalid input: where (`body.address.country`, `query.limit`, `header.if-match`, `path.customerId`) and why. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Problem types are URNs (`urn:kestrel:problem:<code>`): stable names that need no hosted page. */
export const PROBLEM_TYPE_PREFIX = 'urn:kestrel:problem:';

/**
 * An error answer a handler gives on purpose: throw it anywhere below {@link httpRoute} and the
 * caller gets its status, problem document and headers.
 *
 * @example
 * ```ts
 * throw new HttpProblem(404, 'product-not-found', 'No such product', `There is no product ${id}.`, { productId: id });
 * ```
 */
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

  /** The problem document for the request at `instance` (its path). */
  body(instance: string): Record<string, unknown> {
    return {
      type: `${PROBLEM_TYPE_PREFIX}${this.code}`,
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      instance,
      ...this.extensions,
    };
  }
}

/**
 * 400 `validation-failed` listing every invalid field in the `errors` extension member.
 *
 * @example
 * ```ts
 * throw validationProblem([{ field: 'body.customerId', message: 'is required when staff create a customer' }]);
 * ```
 */
export function validationProblem(errors: readonly FieldError[]): HttpProblem {
  return new HttpProblem(400, 'validation-failed', 'The request is invalid', `${errors.length} invalid ${errors.length === 1 ? 'field' : 'fields'}`, {
    errors,
  });
}

/** The field errors a problem carries (those of a {@link validationProblem}), else none. */
export function fieldErrorsOf(problem: HttpProblem): FieldError[] {
  const errors = problem.extensions.errors;
  return Array.isArray(errors) ? (errors as FieldError[]) : [];
}
