/**
 * Every console API route, by area. A new area exports `xxxRoutes(deps)` from
 * its own file and is listed here.
 */
import type { ConsoleDeps, ConsoleRoute } from '../routes';
import { overviewRoutes } from './overview';
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
  ];
}
