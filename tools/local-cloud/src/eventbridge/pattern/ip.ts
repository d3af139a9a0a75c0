// IP address literals and CIDR blocks, compared as raw address bytes.
//
// Which strings count as IP literals follows event-ruler (the engine behind EventBridge): dotted
// quads, or hex-and-colon IPv6 without embedded IPv4 or zone ids. An IPv4-mapped IPv6 address
// (::ffff:a.b.c.d written in hex) becomes its IPv4 form, as Java's InetAddress does.

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

export type IpBytes = Uint8Array;

/** True when `text` has the shape of an IP literal (it may still be invalid, e.g. 300.1.1.1). */
export function looksLikeIp(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

/** Parses an IPv4 or IPv6 literal into 4 or 16 bytes; undefined if it is not one. */
export function parseIp(text: string): IpBytes | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

function parseIpv4(text: string): IpBytes | undefined {
  const bytes = new Uint8Array(4);
  const octets = text.split('.');
  for (let i = 0; i < 4; i++) {
    const octet = Number(octets[i]);
    if (!(octet >= 0 && octet <= 255)) return undefined;
    bytes[i] = octet;
  }
  return bytes;
}

function parseIpv6(text: string): IpBytes | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = head.length + tail.length;
  if (halves.length === 1 ? groups !== 8 : groups > 7) return undefined;
  const words = [...head, ...new Array<string>(8 - groups).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const word = words[i] ?? '';
    if (!/^[0-9a-fA-F]{1,4}$/.test(word)) return undefined;
    const value = parseInt(word, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  const ipv4Mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return ipv4Mapped ? bytes.slice(12) : bytes;
}

/** Lexicographic comparison of two addresses of the same length. */
export function compareIp(a: IpBytes, b: IpBytes): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function sameIp(a: IpBytes, b: IpBytes): boolean {
  return a.length === b.length && compareIp(a, b) === 0;
}

/** An inclusive address range. */
export interface IpRange {
  readonly low: IpBytes;
  readonly high: IpBytes;
}

export function ipInRange(ip: IpBytes, range: IpRange): boolean {
  return ip.length === range.low.length && compareIp(ip, range.low) >= 0 && compareIp(ip, range.high) <= 0;
}

/**
 * Parses a CIDR block. Throws an Error whose message is the AWS reason for a malformed block.
 *
 * Like event-ruler, the range starts at the address as written (host bits are not cleared) and
 * ends with all host bits set; a mask must be below the address width (/31, /127 at most).
 */
export function parseCidr(text: string): IpRange {
  // Java's String.split drops trailing empty strings: "10.0.0.0/" has one part.
  const parts = text.split('/');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length !== 2) throw new Error("Malformed CIDR, one '/' required");
  const [address = '', maskText = ''] = parts;
  if (!/^[+-]?\d{1,10}$/.test(maskText) || Math.abs(Number(maskText)) > 2 ** 31 - 1) {
    throw new Error('Malformed CIDR, mask bits must be an integer');
  }
  const mask = Number(maskText);
  if (mask < 0) throw new Error('Malformed CIDR, mask bits must not be negative');
  if (!looksLikeIp(address)) throw new Error(`Nonstandard IP address: ${address}`);
  const low = parseIp(address);
  if (!low) throw new Error(`Invalid IP address: ${address}`);
  if (low.length === 4 && mask > 31) throw new Error('IPv4 mask bits must be < 32');
  if (low.length === 16 && mask > 127) throw new Error('IPv6 mask bits must be < 128');
  const high = low.slice();
  let hostBits = low.length * 8 - mask;
  for (let i = high.length - 1; i >= 0 && hostBits > 0; i--, hostBits -= 8) {
    high[i] = (high[i] ?? 0) | (hostBits >= 8 ? 0xff : (1 << hostBits) - 1);
  }
  return { low, high };
}
