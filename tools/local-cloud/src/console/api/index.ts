/**
 * Every console API route, by area. A new area exports `xxxRoutes(deps)` from
 * its own file and is listed here.
 */
import type { ConsoleDeps, ConsoleRoute } from '../routes';
import { dataRoutes } from './data';
import { functionsRoutes } from './functions';
import { overviewRoutes } from './overview';
import { servicesRoutes } from './services';
import { eventsRoutes } from './events';
import { tracesRoutes } from './traces';
import { explainRoutes } from './explain';
import { dlqRoutes } from './dlq';

export function consoleRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    ...overviewRoutes(deps),
    ...eventsRoutes(deps),
    ...tracesRoutes(deps),
    ...explainRoutes(deps),
    ...dlqRoutes(deps),
    ...functionsRoutes(deps),
    ...servicesRoutes(deps),
    ...dataRoutes(deps),
  ];
}
