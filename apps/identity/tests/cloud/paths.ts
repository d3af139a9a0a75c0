/** Synthesized stacks the cloud test applies (built by the Nx test target's dependencies). */
import { fileURLToPath } from 'node:url';

const stackDir = (path: string) => fileURLToPath(new URL(path, import.meta.url));
export const platformStack = stackDir('../../../../infra/platform/cdktf.out/stacks/platform-staging');
export const identityStack = stackDir('../../cdktf.out/stacks/identity-staging');
