/**
 * s3rver as a supervised child Node process. It runs with
 * `--openssl-legacy-provider` because its continuation tokens are DES-encrypted,
 * which OpenSSL 3 only offers through the legacy provider.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SupervisedProcess, answersHttp, findFreePort } from '../../processes/supervisor';

export async function startS3rver(options: { dataDir: string; inMemory?: boolean }): Promise<{ endpoint: string; process: SupervisedProcess; directory: string }> {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve('s3rver/package.json')), 'bin', 's3rver.js');
  const port = await findFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver has no in-memory store: tests get a throw-away directory.
  const directory = options.inMemory ? mkdtempSync(join(tmpdir(), 'local-cloud-s3-')) : join(options.dataDir, 's3');
  mkdirSync(directory, { recursive: true });
  const child = new SupervisedProcess({
    name: 's3rver',
    command: process.execPath,
    args: ['--openssl-legacy-provider', bin, '--directory', directory, '--address', '127.0.0.1', '--port', String(port), '--silent', '--no-vhost-buckets'],
    // The parent may run under tsx/vitest loaders; s3rver is plain CommonJS and needs none of them.
    env: { NODE_OPTIONS: '' },
    logFile: join(options.dataDir, 'logs', 's3rver.log'),
    pidFile: join(options.dataDir, 'pids', 's3rver.pid'),
    pidFileMarker: 's3rver.js',
    isReady: () => answersHttp(`${endpoint}/`),
    readyTimeoutMs: 30_000,
  });
  await child.start();
  return { endpoint, process: child, directory };
}
