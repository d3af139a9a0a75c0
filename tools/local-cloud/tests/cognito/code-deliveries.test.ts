import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { followCodeDeliveries, parseCodeDeliveries } from '../../src/services/cognito/code-deliveries';
import type { CodeDelivery } from '../../src/services/cognito/code-deliveries';

// What cognito-local 5.3 logs for a sign-up (its console message sender, boxen with NO_COLOR).
const box = (username: string, destination: string, code: string) => `[1796623321539] INFO: 3adb3f8c SignUp ╭───────────────────────────────────────────────────────╮
│                                                       │
│   Confirmation Code Delivery                          │
│                                                       │
│   Username:    ${username}   │
│   Destination: ${destination}                          │
│   Code:        ${code}                                 │
│                                                       │
╰───────────────────────────────────────────────────────╯ {"reqId":"3adb3f8c","target":"SignUp"}
`;

describe('confirmation codes from cognito-local’s log', () => {
  it('reads user name, destination and code of every complete box, and keeps a box cut in half for later', () => {
    // prepare
    const whole = box('a8289c7c-a368-4b8c-a243-e07848645b7c', 'ada@example.com', '275247');
    const second = box('b1', 'bob@example.com', '000123');
    const cut = second.slice(0, second.indexOf('Code:'));

    // act
    const first = parseCodeDeliveries(`noise\n${whole}more noise\n${cut}`, new Date('2026-01-01T00:00:00Z'));
    const rest = parseCodeDeliveries(first.rest + second.slice(cut.length), new Date('2026-01-01T00:00:01Z'));

    // assess
    expect(first.deliveries).toEqual([{ username: 'a8289c7c-a368-4b8c-a243-e07848645b7c', destination: 'ada@example.com', code: '275247', at: '2026-01-01T00:00:00.000Z' }]);
    expect(rest.deliveries).toEqual([{ username: 'b1', destination: 'bob@example.com', code: '000123', at: '2026-01-01T00:00:01.000Z' }]);
    expect(rest.rest).not.toContain('Confirmation Code Delivery');
  });

  it('reads a box coloured by FORCE_COLOR (which nx sets for the tasks it runs) as the plain one', () => {
    // prepare: boxen's borders and chalk's values wrapped in ANSI colour sequences
    const colour = (text: string) => text.replace(/[│╭╮╰╯─]+/g, (border) => `\u001b[33m${border}\u001b[39m`).replace('275247', '\u001b[1m275247\u001b[22m');
    const coloured = colour(box('c1', 'cy@example.com', '275247'));

    // act
    const { deliveries } = parseCodeDeliveries(coloured, new Date('2026-01-01T00:00:00Z'));

    // assess
    expect(coloured).toContain('\u001b[');
    expect(deliveries).toEqual([{ username: 'c1', destination: 'cy@example.com', code: '275247', at: '2026-01-01T00:00:00.000Z' }]);
  });

  it('follows the log from its end: codes of earlier runs are not reported, new ones are', async () => {
    // prepare
    const dir = mkdtempSync(join(tmpdir(), 'code-deliveries-'));
    const log = join(dir, 'cognito-local.log');
    writeFileSync(log, box('old', 'old@example.com', '111111'));
    const seen: CodeDelivery[] = [];
    const stop = followCodeDeliveries(log, (delivery) => seen.push(delivery), 20);

    // act
    appendFileSync(log, box('new', 'new@example.com', '222222'));

    // assess
    await vi.waitFor(() => expect(seen.map((delivery) => delivery.code)).toEqual(['222222']), { timeout: 5000 });
    stop();
    rmSync(dir, { recursive: true, force: true });
  });
});
