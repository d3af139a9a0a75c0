import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Folders that hold deployable projects with stacks. */
const PROJECT_ROOTS = ['apps', 'infra'];

/** Every synthesized stack file under `<root>/{apps,infra}/<project>/cdktf.out/stacks/<stack>/cdk.tf.json`. */
export function synthesizedStacks(workspaceRoot: string, project?: string): string[] {
  const found: string[] = [];
  for (const folder of PROJECT_ROOTS) {
    const base = join(workspaceRoot, folder);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (!entry.isDirectory() || (project !== undefined && entry.name !== project)) continue;
      const stacks = join(base, entry.name, 'cdktf.out', 'stacks');
      if (!existsSync(stacks)) continue;
      for (const stack of readdirSync(stacks, { withFileTypes: true })) {
        const file = join(stacks, stack.name, 'cdk.tf.json');
        if (stack.isDirectory() && existsSync(file)) found.push(file);
      }
    }
  }
  return found.sort();
}

/** The project folders (`apps/customers`, `infra/platform`) that exist for a service name. */
export function projectFolders(workspaceRoot: string, service: string): string[] {
  return PROJECT_ROOTS.map((folder) => join(workspaceRoot, folder, service)).filter((path) => existsSync(path));
}
