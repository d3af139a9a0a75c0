/**
 * @kestrel/http-api: what every kestrel HTTP API handler (API Gateway HTTP API, payload 2.0,
 * JWT authorizer) needs, so services write only their routes.
 *
 * - {@link httpRoute}: JSON results, `no-store`, correlation id, every failure as RFC 9457
 *   `application/problem+json` (your errors mapped by `problemFor`, anything else a logged 500).
 * - {@link readRequest}: path, query, headers and JSON body validated with zod, every invalid field
 *   in one 400; 413 over the size limit, 415 for non-JSON, 400 for malformed JSON.
 * - {@link HttpProblem}, {@link validationProblem}, {@link fieldErrors}: problem documents.
 * - {@link callerOf}, {@link claimGroups}: the verified JWT claims (`sub`, `customerId`, `cognito:groups`).
 * - {@link encodeCursor}, {@link decodeCursor}, {@link pageQuery}: opaque, validated pagination cursors.
 *
 * @example
 * ```ts
 * import { callerOf, httpRoute, readRequest } from '@kestrel/http-api';
 * import { withObservability } from '@kestrel/observability';
 *
 * const route = httpRoute(async (event, origin) => {
 *   const caller = callerOf(event);
 *   const { path, body } = readRequest(event, { path: { id: idSchema }, body: z.strictObject({ name: z.string() }) });
 *   return { status: 200, body: await rename(path.id, body.name, caller, origin) };
 * }, { problemFor });
 * export const handler = withObservability(route, { service: 'catalog', functionName: 'http-rename-product' });
 * ```
 */
export { CUSTOMER_ID_CLAIM, GROUPS_CLAIM, callerOf, claimGroups, type Caller } from './claims';
export { InvalidCursorError, decodeCursor, encodeCursor, type CursorScope } from './cursor';
export { fieldErrors } from './field-errors';
export { pageQuery, pageRequestOf, type Page, type PageRequest } from './pagination';
export { HttpProblem, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, fieldErrorsOf, validationProblem, type FieldError } from './problem';
export {
  DEFAULT_MAX_BODY_BYTES,
  headerValue,
  readJsonBody,
  readParameters,
  readRequest,
  type HttpEvent,
  type ParameterSpec,
  type ParsedRequest,
  type RequestSpec,
} from './request';
export { DEPENDENCY_RETRY_AFTER_SECONDS, httpRoute, isTransientDependencyFailure, type EventOrigin, type HttpResponse, type HttpResult, type HttpRouteHandler, type HttpRouteOptions, type ProblemMapper } from './route';
