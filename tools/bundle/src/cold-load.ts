import { execFileSync } from 'node:child_process';

export interface ColdLoadOptions {
  /** The environment the fresh process gets (what Lambda would give the function); default: PATH only. */
  env?: NodeJS.ProcessEnv;
  /** Load with `--enable-source-maps`, as the stacks set it in NODE_OPTIONS. */
  sourceMaps?: boolean;
}

/**
 * Milliseconds to import a bundle (module evaluation included) in a fresh Node process, timed
 * inside that process so process start-up is not counted. Throws what the import threw.
 *
 * Load the bundle from outside the repository, as Lambda does, so nothing above it resolves.
 *
 * @example
 * ```ts
 * coldLoadMs('/tmp/task/index.mjs', { env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1' } }); // 38.4
 * ```
 */
export function coldLoadMs(file: string, options: ColdLoadOptions = {}): number {
  const script = `const t=performance.now();await import(${JSON.stringify(`file://${file}`)});process.stdout.write(String(performance.now()-t));`;
  const flags = options.sourceMaps ? ['--enable-source-maps'] : [];
  const env = options.env ?? { PATH: process.env.PATH, NODE_NO_WARNINGS: '1' };
  return Number(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** The middle value (upper middle for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}
