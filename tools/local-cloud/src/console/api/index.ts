/**
 * Every console API route, by area. A new area exports `xxxRoutes(deps)` from
 * its own file and is listed here.
 */
import type { ConsoleDeps, ConsoleRoute } from '../routes';
import { overviewRoutes } from './overview';

export function consoleRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  return [...overviewRoutes(deps)];
}
