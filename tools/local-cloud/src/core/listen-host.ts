/**
 * Where the local cloud's listeners bind, and the host name the URLs it hands
 * out use. Loopback by default; `LOCAL_CLOUD_HOST` (or the `host` option)
 * opens it to other devices: a phone, an emulator or another machine's
 * browser. Binding every interface (`0.0.0.0`) hands out URLs with the
 * machine's first LAN address, since `0.0.0.0` is not an address a device can call.
 */
import { networkInterfaces } from 'node:os';

export interface ListenHost {
  /** What `listen()` binds. */
  bind: string;
  /** The host in URLs (edge endpoint, HTTP API URLs). */
  advertised: string;
  /** True for 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
  loopback: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;
const EVERY_INTERFACE = new Set(['0.0.0.0', '::']);

function firstLanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

/**
 * @example
 * resolveListenHost(undefined, {})                            // { bind: '127.0.0.1', advertised: '127.0.0.1', loopback: true }
 * resolveListenHost(undefined, { LOCAL_CLOUD_HOST: '0.0.0.0' }) // { bind: '0.0.0.0', advertised: '192.168.1.20', loopback: false }
 */
export function resolveListenHost(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): ListenHost {
  const bind = explicit ?? (env.LOCAL_CLOUD_HOST?.trim() || '127.0.0.1');
  const advertised = EVERY_INTERFACE.has(bind) ? (firstLanAddress() ?? '127.0.0.1') : bind;
  return { bind, advertised: advertised.includes(':') ? `[${advertised}]` : advertised, loopback: LOOPBACK.test(bind) };
}

/** The warning printed when the local cloud is reachable from other machines. */
export function exposureWarning(host: ListenHost): string {
  return (
    `WARNING: listening on ${host.bind} (LOCAL_CLOUD_HOST), not only on loopback: every device that can reach ${host.advertised} ` +
    'can call the local cloud and its HTTP APIs, which check no AWS credentials. Use it on a network you trust.'
  );
}
