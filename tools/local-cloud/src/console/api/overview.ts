/** The console's overview: readiness per stack, and the route list (the API's own reference). */
import type { ConsoleDeps, ConsoleRoute } from '../routes';

export function overviewRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    {
      method: 'GET',
      path: '/_local/overview',
      summary: 'Readiness, each stack with its status and resource count, the emulated services',
      handle: () => {
        const readiness = deps.readiness();
        const applied = new Map(deps.stacks().map((stack) => [stack.name, stack]));
        return {
          body: {
            ready: readiness.ready,
            status: readiness.status,
            endpoint: deps.context.endpoint,
            region: deps.context.region,
            accountId: deps.context.accountId,
            stacks: readiness.stacks.map((entry) => ({ ...entry, resources: applied.get(entry.name)?.resources.length ?? 0 })),
            modules: deps.modules().map((module) => module.name),
          },
        };
      },
    },
  ];
}
