/**
 * CLI-parity figures: how fast a DLQ redrive moves messages (default rate,
 * 500/s, and a set rate), what a FilterLogEvents call costs over a large
 * function log (what `aws logs tail --follow` does every 5 s), and the SQS
 * query protocol against JSON for one send + receive + delete.
 *
 * Run (from tools/local-cloud): npx tsx bench/cli-parity.bench.ts → bench-results/cli-parity.json
 *   --messages <n>  dead letters to move (default 2000)
 *   --records <n>   log records in the function log (default 50000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteMessageCommand, ListMessageMoveTasksCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { startLocalCloud } from '../src/cloud';
import { FunctionLog, functionLogDir } from '../src/services/lambda/function-logs';
import { createLogsModule } from '../src/services/logs';
import { createSqsModule, type SqsModule } from '../src/services/sqs';
import { argument, median, percentiles, round, writeBenchResult } from './support';

const MESSAGES = argument('messages', 2000);
const RECORDS = argument('records', 50_000);
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const arn = (name: string) => `arn:aws:sqs:eu-west-1:000000000000:${name}`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cli-parity-bench-'));
  const cloud = await startLocalCloud({ dataDir, modules: [createSqsModule, createLogsModule] });
  const sqs = new SQSClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
  const logs = new CloudWatchLogsClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
  const service = (cloud.modules.find((module) => module.name === 'sqs') as SqsModule).service;
  try {
    // ---- DLQ redrive ----
    const redrive = async (name: string, rate?: number) => {
      service.createQueue(`${name}-dlq`);
      service.createQueue(name, { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(`${name}-dlq`), maxReceiveCount: 1 }) });
      for (let index = 0; index < MESSAGES; index += 1) await service.sendMessage(name, JSON.stringify({ index }));
      while (service.receiveNow(name, 10).length > 0);
      while (service.receiveNow(name, 10).length > 0); // over maxReceiveCount: all in the DLQ now
      const started = performance.now();
      await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn(`${name}-dlq`), ...(rate ? { MaxNumberOfMessagesPerSecond: rate } : {}) }));
      for (;;) {
        const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn(`${name}-dlq`) }));
        if (Results[0]?.Status !== 'RUNNING') {
          const seconds = (performance.now() - started) / 1000;
          return { rate: rate ?? 'default (500)', status: Results[0]?.Status, moved: Results[0]?.ApproximateNumberOfMessagesMoved, seconds: round(seconds), messagesPerSecond: round((Results[0]?.ApproximateNumberOfMessagesMoved ?? 0) / seconds) };
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const redrives = [await redrive('default-rate'), await redrive('rate-200', 200)];

    // ---- FilterLogEvents over a large function log ----
    const log = new FunctionLog(join(functionLogDir(dataDir), 'bench-fn.log'));
    const base = Date.now() - RECORDS;
    for (let index = 0; index < RECORDS; index += 1) {
      log.write({ timestamp: new Date(base + index).toISOString(), level: index % 100 === 0 ? 'ERROR' : 'INFO', requestId: `r-${index}`, message: `order ${index} handled` });
    }
    await log.close();
    const timeFilter = async (filterPattern: string, startTime?: number) => {
      const samples: number[] = [];
      let events = 0;
      for (let run = 0; run < 5; run += 1) {
        const started = performance.now();
        const page = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/bench-fn', filterPattern, startTime, limit: 10_000 }));
        samples.push(performance.now() - started);
        events = page.events?.length ?? 0;
      }
      return { filterPattern, startTime: startTime === undefined ? 'all' : 'last 1000 ms', eventsInFirstPage: events, msMedian: round(median(samples)) };
    };
    const filters = [
      await timeFilter('{ $.level = "ERROR" }'),
      await timeFilter('"order 4999"'),
      await timeFilter('', base + RECORDS - 1000), // what tail --follow asks every 5 s
    ];

    // ---- SQS: query protocol (form + XML) vs JSON, one send + receive + delete ----
    const queueUrl = service.urlOf(service.createQueue('protocols').name);
    const form = async (body: string) => {
      const response = await fetch(cloud.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=bench/20260101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=0' },
        body,
      });
      return response.text();
    };
    const roundTrip = { query: [] as number[], json: [] as number[] };
    for (let run = 0; run < 300; run += 1) {
      let started = performance.now();
      await form(`Action=SendMessage&QueueUrl=${encodeURIComponent(queueUrl)}&MessageBody=hello`);
      const xml = await form(`Action=ReceiveMessage&QueueUrl=${encodeURIComponent(queueUrl)}`);
      const handle = /<ReceiptHandle>([^<]+)<\/ReceiptHandle>/.exec(xml)?.[1] ?? '';
      await form(`Action=DeleteMessage&QueueUrl=${encodeURIComponent(queueUrl)}&ReceiptHandle=${encodeURIComponent(handle)}`);
      roundTrip.query.push(performance.now() - started);
      started = performance.now();
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: received.Messages?.[0]?.ReceiptHandle }));
      roundTrip.json.push(performance.now() - started);
    }

    const file = writeBenchResult('cli-parity', {
      benchmark: 'cli-parity',
      messages: MESSAGES,
      logRecords: RECORDS,
      redrives,
      filterLogEvents: filters,
      sqsSendReceiveDeleteMs: { queryProtocolRawHttp: percentiles(roundTrip.query), jsonProtocolSdk: percentiles(roundTrip.json) },
    });
    console.log(`wrote ${file}`);
  } finally {
    sqs.destroy();
    logs.destroy();
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
