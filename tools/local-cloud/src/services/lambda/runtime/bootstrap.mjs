// The runtime inside one local Lambda execution environment: a child process
// of the local cloud, started with the Node.js binary the function's runtime
// names. Plain JavaScript on purpose: it runs on whatever Node major the
// function asks for, without tsx or the workspace's loaders.
//
// Protocol (IPC, JSON): the parent sends { type: 'invoke', requestId, payload,
// deadlineMs, clientContext, identity, traceId }; this process answers
// { type: 'ready' } | { type: 'init-error', error } once, then
// { type: 'result', requestId, ok, payload | error, maxRssKb } per invocation,
// { type: 'log', … } for each console call and { type: 'crash', error } just
// before it dies of an uncaught exception or unhandled rejection.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const handlerSpec = process.env._HANDLER ?? '';
let currentRequestId;

function send(message, callback) {
  if (process.connected) process.send(message, callback);
  else callback?.();
}

function errorShape(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name && error.name !== 'Error' ? error.name : (error.constructor?.name ?? 'Error'),
      errorMessage: error.message,
      trace: String(error.stack ?? '').split('\n'),
    };
  }
  // Lambda's Node.js runtime reports a thrown non-Error by its type.
  return { errorType: typeof error, errorMessage: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error), trace: [] };
}

class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

// Lambda patches console so each line carries a timestamp, the request id and a level.
const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
for (const [method, level] of Object.entries(levels)) {
  console[method] = (...args) => {
    send({ type: 'log', level, requestId: currentRequestId, timestamp: new Date().toISOString(), message: format(...args) });
  };
}

function dieWith(error) {
  send({ type: 'crash', requestId: currentRequestId, error }, () => process.exit(129));
  // If the channel is gone, the callback may never come.
  setTimeout(() => process.exit(129), 500).unref();
}

process.on('uncaughtException', (error) => dieWith(errorShape(error)));
process.on('unhandledRejection', (reason) => {
  const shape = errorShape(reason);
  dieWith({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: `${shape.errorType}: ${shape.errorMessage}`, trace: shape.trace });
});

async function loadHandler() {
  // `src/handlers/index.handler`: the module is up to the first dot after the last slash.
  const lastSlash = handlerSpec.lastIndexOf('/');
  const dot = handlerSpec.indexOf('.', lastSlash + 1);
  if (dot < 0) throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerSpec}`);
  const modulePath = handlerSpec.slice(0, dot);
  const exportPath = handlerSpec.slice(dot + 1).split('.');
  const base = resolve(taskRoot, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((extension) => base + extension).find((candidate) => existsSync(candidate));
  if (!file) throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`);
  let loaded;
  try {
    loaded = await import(pathToFileURL(file).href);
  } catch (error) {
    const shape = errorShape(error);
    throw Object.assign(new RuntimeError('Runtime.ImportModuleError', `${shape.errorType}: ${shape.errorMessage}`), { stack: error?.stack });
  }
  const pick = (root) => exportPath.reduce((value, key) => (value == null ? undefined : value[key]), root);
  const handler = pick(loaded) ?? pick(loaded.default);
  if (typeof handler !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${handlerSpec} is undefined or not exported`);
  return handler;
}

let handler;
try {
  handler = await loadHandler();
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'init-error', error: errorShape(error) }, () => process.exit(1));
}

function maxRssKb() {
  return process.resourceUsage().maxRSS;
}

function invoke(message) {
  const { requestId, deadlineMs } = message;
  currentRequestId = requestId;
  process.env._X_AMZN_TRACE_ID = message.traceId;
  let settled = false;
  const finish = (outcome) => {
    if (settled) return;
    settled = true;
    send({ type: 'result', requestId, ...outcome, maxRssKb: maxRssKb() });
  };
  const succeed = (result) => {
    let payload;
    try {
      payload = JSON.stringify(result === undefined ? null : result);
    } catch (error) {
      finish({ ok: false, error: { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${error.message}`, trace: [] } });
      return;
    }
    finish({ ok: true, payload });
  };
  const fail = (error) => finish({ ok: false, error: errorShape(error) });

  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: message.identity,
    clientContext: message.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
  };

  let event;
  try {
    event = message.payload === '' ? {} : JSON.parse(message.payload);
  } catch (error) {
    fail(error);
    return;
  }
  try {
    const returned = handler(event, context, (error, result) => (error ? fail(error) : succeed(result)));
    if (returned && typeof returned.then === 'function') {
      returned.then(succeed, fail);
    } else if (handler.length < 3) {
      // A synchronous handler that takes no callback: Lambda answers null once it returns.
      setImmediate(() => succeed(undefined));
    }
  } catch (error) {
    fail(error);
  }
}

process.on('message', (message) => {
  if (message?.type === 'invoke') invoke(message);
});
