/**
 * Which handler a function runs locally. Lambda unpacks layers under `/opt`, and the local
 * cloud loads no layers, so a handler there cannot run as configured. A vendor's wrapper
 * that names the function's own handler in a variable (Datadog's redirect:
 * `/opt/nodejs/node_modules/datadog-lambda-js/handler.handler` + `DD_LAMBDA_HANDLER`) runs
 * that handler from the bundle instead, without the wrapper; any other `/opt` handler is
 * refused, because running something else silently would hide the difference.
 */
import { AwsServiceError } from '../../core/types';

/** Where Lambda puts layer contents; a handler path starting here lives in a layer. */
export const LAYER_ROOT = '/opt/';

/** A layer's wrapper handler that names the real handler in an environment variable. */
export interface KnownHandlerRedirect {
  /** Who ships the wrapper, for the log line. */
  vendor: string;
  /** The wrapper's directory in the layer; its handler must start with this. */
  layerPath: string;
  /** The variable holding the function's own handler. */
  variable: string;
}

export const KNOWN_HANDLER_REDIRECTS: readonly KnownHandlerRedirect[] = Object.freeze([
  { vendor: 'Datadog', layerPath: '/opt/nodejs/node_modules/datadog-lambda-js/', variable: 'DD_LAMBDA_HANDLER' },
]);

/** A redirect the local cloud resolved: the configured layer handler and what runs instead. */
export interface HandlerRedirect {
  vendor: string;
  /** The handler as configured (in the layer). */
  layerHandler: string;
  variable: string;
  /** The bundle's handler, from {@link variable}. */
  runs: string;
}

export interface LocalHandler {
  /** What `_HANDLER` is locally: the configured handler, or the redirect's target. */
  handler: string;
  redirect?: HandlerRedirect;
}

// `file.export` or `dir/file.export`, relative to the bundle (what Lambda accepts as a task-root handler).
const BUNDLE_HANDLER = /^[^\s/][^\s]*\.[^\s.]+/;

/**
 * The handler a function runs locally, given its configured handler and variables.
 *
 * @example
 * resolveLocalHandler('aws_lambda_function.fn', 'orders-http', '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler', { DD_LAMBDA_HANDLER: 'index.handler' })
 * // → { handler: 'index.handler', redirect: { vendor: 'Datadog', layerHandler: '/opt/…/handler.handler', variable: 'DD_LAMBDA_HANDLER', runs: 'index.handler' } }
 * resolveLocalHandler('aws_lambda_function.fn', 'orders-http', 'index.handler', {}) // → { handler: 'index.handler' }
 */
export function resolveLocalHandler(address: string, functionName: string, handler: string, environment: Readonly<Record<string, string>>): LocalHandler {
  if (!handler.startsWith(LAYER_ROOT)) return { handler };
  const known = KNOWN_HANDLER_REDIRECTS.find((redirect) => handler.startsWith(redirect.layerPath));
  const refuse = (why: string) =>
    new AwsServiceError(
      'InvalidParameterValueException',
      `${address}: handler: function '${functionName}' runs '${handler}' from a layer (${LAYER_ROOT}…), and the local cloud loads no layers; ${why}`,
    );
  if (!known) {
    const variables = KNOWN_HANDLER_REDIRECTS.map((redirect) => `${redirect.layerPath}… with ${redirect.variable}`).join(', ');
    throw refuse(`only a known wrapper that names the function's own handler can run locally (${variables})`);
  }
  const target = environment[known.variable];
  if (target === undefined || target.trim() === '') {
    throw refuse(`set ${known.variable} to the bundle's own handler (e.g. 'index.handler') so it can run that instead`);
  }
  if (!BUNDLE_HANDLER.test(target)) {
    throw refuse(`${known.variable} '${target}' must name a file in the function's own bundle and its export, e.g. 'index.handler'`);
  }
  return { handler: target, redirect: { vendor: known.vendor, layerHandler: handler, variable: known.variable, runs: target } };
}
