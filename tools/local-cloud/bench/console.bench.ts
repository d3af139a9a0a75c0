/**
 * The local console's cost and speed (issue 16), on one local cloud with the
 * PutEvents → Lambda topology of `eventbridge-lambda.bench.ts`, and headless
 * Chromium (Debian's package, playwright-core):
 *
 * 1. PutEvents → handler finished with no console open (sustained load).
 * 2. 10,000 events recorded (PutEvents of 10 entries on a source no rule
 *    matches); the recorder's retained heap for them (after GC).
 * 3. First paint of the events view with those 10,000 recorded: navigation
 *    start → first event row in the DOM (the page's own clock), the browser's
 *    first-contentful-paint, and the script's one-time build.
 * 4. A new event visible: PutEvents called → its row in the open page's DOM
 *    (includes PutEvents itself and the page reading the stream); p50/p95.
 * 5. PutEvents → handler finished again, with the events view open and
 *    streaming every event (same run, same rate); then closed and open once
 *    more, so neither side always runs first.
 * 6. The page's idle JS heap (after a collection) 2 s later, 10,000+ events recorded.
 *
 * Writes `bench-results/console.json`. Targets: first paint ≤ 500 ms, new
 * event visible p95 ≤ 250 ms, idle cost ≤ 30 MB, no measurable effect on
 * PutEvents → handler. Run from tools/local-cloud:
 * `npx tsx --expose-gc bench/console.bench.ts [--seconds 10] [--rate 100] [--samples 40]`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { argument, percentiles, round, sleep, writeBenchResult } from './support';
import { BUS, startHarness } from './eventbridge-lambda-harness';

const CHROMIUM = '/usr/bin/chromium';
const SECONDS = argument('seconds', 10);
const RATE = argument('rate', 100);
const SAMPLES = argument('samples', 40);
const RECORDED_EVENTS = 10_000;
/** What the events view asks for first (`ui/panels/events.tsx`). */
const FIRST_PAGE = 100;
const TARGETS = { firstPaintMs: 500, newEventVisibleP95Ms: 250, idleCostMb: 30 };

const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

function heapAfterGc(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  const harness = await startHarness();
  const cloud = harness.cloud;
  const profile = mkdtempSync(join(tmpdir(), 'console-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    await harness.run('warmup', 50, 2, 1);

    // 1. No console open.
    const closed = await harness.run('console-closed', RATE, SECONDS, 1);
    console.log('console closed', JSON.stringify(closed.latencyMs.putEventsCalledToHandlerFinished));

    // 2. 10,000 events recorded; what the recorder keeps of them.
    const heapBefore = heapAfterGc();
    const recordsBefore = cloud.recorder.size;
    const filler = { EventBusName: BUS, Source: 'bench.console-fill', DetailType: 'Filler', Detail: JSON.stringify({ metadata: { correlationId: 'fill', version: 1, producer: 'bench' }, data: { text: 'x'.repeat(200) } }) };
    for (let call = 0; call < RECORDED_EVENTS / 10; call += 20) {
      await Promise.all(Array.from({ length: 20 }, () => harness.events.send(new PutEventsCommand({ Entries: Array.from({ length: 10 }, () => filler) }))));
    }
    const heapAfter = heapAfterGc();
    const recorded = cloud.recorder.query({ type: 'event.put' }).length;

    // 3. First paint of the events view with them recorded (the script's build is one-time: measured apart).
    const buildStarted = performance.now();
    await (await fetch(`${cloud.endpoint}/_local/console/app.js`)).text();
    const scriptBuildMs = round(performance.now() - buildStarted);
    // The page's first call, timed from here: how much of the first paint is the server's.
    const listCalls: number[] = [];
    for (let call = 0; call < 10; call++) {
      const listStarted = performance.now();
      await (await fetch(`${cloud.endpoint}/_local/events?limit=${FIRST_PAGE}`)).json();
      listCalls.push(performance.now() - listStarted);
    }
    const firstPaints: { firstRowMs: number; firstContentfulPaintMs?: number }[] = [];
    for (let run = 0; run < 5; run++) {
      const page = await browser.newPage();
      await page.goto(`${cloud.endpoint}/_local/console#/events`);
      await page.waitForSelector('[data-event-id]');
      const firstRowMs = await page.evaluate(() => performance.now());
      const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime);
      firstPaints.push({ firstRowMs: round(firstRowMs), ...(fcp !== undefined ? { firstContentfulPaintMs: round(fcp) } : {}) });
      await page.close();
    }

    // 4. A new event visible in the open page.
    const page = await browser.newPage();
    await page.goto(`${cloud.endpoint}/_local/console#/events`);
    await page.waitForSelector('[data-event-id]');
    await page.getByTestId('events-status').filter({ hasText: 'Live' }).waitFor();
    const visible: number[] = [];
    for (let sample = 0; sample < SAMPLES; sample++) {
      const started = performance.now();
      const put = await harness.events.send(new PutEventsCommand({ Entries: [{ EventBusName: BUS, Source: 'bench.console-visible', DetailType: 'Visible', Detail: JSON.stringify({ sample }) }] }));
      const eventId = put.Entries?.[0]?.EventId as string;
      await page.waitForSelector(`[data-event-id="${eventId}"]`, { timeout: 10_000 });
      visible.push(performance.now() - started);
      await sleep(50);
    }

    // 5. The same load with the console open and streaming every event.
    const open = await harness.run('console-open', RATE, SECONDS, 1);
    console.log('console open', JSON.stringify(open.latencyMs.putEventsCalledToHandlerFinished));

    // 6. The page at rest.
    await sleep(2_000);
    const cdp = await browser.newCDPSession(page);
    await cdp.send('Performance.enable');
    // What the page keeps, not what it has not collected yet.
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const pageHeap = metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? Number.NaN;
    const rows = await page.locator('[data-event-id]').count();
    await page.close();

    // 7. Again, closed then open, so neither side always runs first (the machine warms up and its load drifts).
    const closedAgain = await harness.run('console-closed-2', RATE, SECONDS, 1);
    const reopened = await browser.newPage();
    await reopened.goto(`${cloud.endpoint}/_local/console#/events`);
    await reopened.getByTestId('events-status').filter({ hasText: 'Live' }).waitFor();
    const openAgain = await harness.run('console-open-2', RATE, SECONDS, 1);
    await reopened.close();
    const runs = [
      ['closed', closed],
      ['open', open],
      ['closed', closedAgain],
      ['open', openAgain],
    ] as const;

    const firstRow = percentiles(firstPaints.map((paint) => paint.firstRowMs));
    const visibleMs = percentiles(visible);
    const recorderMb = heapBefore !== undefined && heapAfter !== undefined ? mb(heapAfter - heapBefore) : undefined;
    const output = writeBenchResult('console', {
      benchmark: 'Local console: first paint with 10,000 events recorded, new event visible after PutEvents, idle memory, PutEvents → handler with and without the console open',
      method:
        'One local cloud (SSM, Lambda, SQS, EventBridge) with the eventbridge-lambda topology; headless Chromium 1280×900 through playwright-core. First paint = performance.now() in the page when the first event row is in the DOM (navigation start = 0), script already built (its one-time build measured apart). First-page API = the events view’s first call timed from Node. New event visible = PutEvents called → waitForSelector of its row (includes the PutEvents round trip and playwright polling). Recorder heap = heapUsed after gc() before and after putting the 10,000 events (includes whatever else those puts left behind). PutEvents → handler as in eventbridge-lambda.bench.ts, single-entry PutEvents at the same rate, closed, open (the events view streaming), closed, open, in that order. Everything shares one 2-core machine.',
      targets: TARGETS,
      recordedEvents: recorded,
      recordsAdded: cloud.recorder.size - recordsBefore,
      firstPaint: { scriptBuildMs, firstPageApiMs: percentiles(listCalls), runs: firstPaints, firstRowMs: firstRow },
      newEventVisibleMs: visibleMs,
      newEventVisibleP95Ms: round([...visible].sort((a, b) => a - b)[Math.ceil(visible.length * 0.95) - 1] as number),
      memory: {
        recorderRetainedMbFor10kEvents: recorderMb ?? 'not measured (run with --expose-gc)',
        pageJsHeapMb: mb(pageHeap),
        pageRowsKept: rows,
      },
      putEventsToHandlerMs: {
        runsInOrder: runs.map(([console, run]) => ({ console, ...run.latencyMs.putEventsCalledToHandlerFinished, lost: run.lost })),
        rate: RATE,
        seconds: SECONDS,
      },
    });
    console.log(`wrote ${output}: first row p50 ${firstRow.p50} ms, visible p50 ${visibleMs.p50} ms, recorder ${recorderMb ?? '?'} MB, page heap ${mb(pageHeap)} MB`);
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
    await harness.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
