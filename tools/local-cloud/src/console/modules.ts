/** The emulated services the console reads and acts on, found among the running modules by name. */
import type { EventBridgeModule } from '../services/eventbridge';
import type { LambdaModule } from '../services/lambda';
import type { SqsModule } from '../services/sqs';
import type { ApiGatewayModule } from '../services/apigateway';
import { ConsoleError } from './routes';
import type { ConsoleDeps } from './routes';

interface Named {
  eventbridge: EventBridgeModule;
  sqs: SqsModule;
  lambda: LambdaModule;
  apigateway: ApiGatewayModule;
}

/** The running module called `name`, or undefined when this local cloud runs without it. */
export function moduleNamed<K extends keyof Named>(deps: ConsoleDeps, name: K): Named[K] | undefined {
  return deps.modules().find((module) => module.name === name) as Named[K] | undefined;
}

/** The running module called `name`; a 503 naming the missing service otherwise. */
export function requireModule<K extends keyof Named>(deps: ConsoleDeps, name: K): Named[K] {
  const found = moduleNamed(deps, name);
  if (!found) throw new ConsoleError(503, `This local cloud runs without ${name}`, { service: name, running: deps.modules().map((module) => module.name) });
  return found;
}
