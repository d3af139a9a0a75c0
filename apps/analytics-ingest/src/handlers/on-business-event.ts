/**
 * EventBridge → ingest → Firehose. Invoked asynchronously by the
 * `all-business-events` rule with one event per invocation. Idempotent in
 * effect: a retried invocation writes the same row again and the lake
 * deduplicates on `eventId` (`latest_events`).
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { SSMClient } from '@aws-sdk/client-ssm';
import { eventRegistry } from '@kestrel/contracts';
import { FirehoseSender } from '../adapters/firehose-sender';
import { metricsDocument } from '../adapters/metrics';
import { loadPseudonymisationKey } from '../adapters/pseudonymisation-key';
import { createPseudonymiser, ingestEvents, packRows } from '../domain';
import type { IngestResult, Pseudonymise, QuarantineRow } from '../domain';

interface Runtime {
  service: string;
  sender: FirehoseSender;
  pseudonymise: Pseudonymise;
}

const REQUIRED_ENVIRONMENT = ['DELIVERY_STREAM_NAME', 'PSEUDONYMISATION_KEY_PARAMETER'] as const;

async function createRuntime(environment: NodeJS.ProcessEnv): Promise<Runtime> {
  const missing = REQUIRED_ENVIRONMENT.filter((name) => !environment[name]);
  if (missing.length > 0) throw new Error(`analytics-ingest is misconfigured: missing environment variable(s) ${missing.join(', ')}`);
  const key = await loadPseudonymisationKey(new SSMClient({}), environment.PSEUDONYMISATION_KEY_PARAMETER as string);
  return {
    service: environment.SERVICE_NAME ?? 'analytics-ingest',
    sender: new FirehoseSender({ client: new FirehoseClient({}), deliveryStreamName: environment.DELIVERY_STREAM_NAME as string }),
    pseudonymise: createPseudonymiser(key),
  };
}

let runtime: Promise<Runtime> | undefined;

/** Built once per execution environment; a failed start (e.g. the key not set yet) is retried by the next invocation. */
function currentRuntime(): Promise<Runtime> {
  runtime ??= createRuntime(process.env).catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

export interface IngestSummary {
  accepted: number;
  quarantined: IngestResult['quarantined'];
  records: number;
}

/** Lambda entry point. Throws (so Lambda retries, then the failure queue holds the event) only when Firehose keeps refusing. */
export const handler = async (event: unknown): Promise<IngestSummary> => {
  const { service, sender, pseudonymise } = await currentRuntime();
  const result = ingestEvents([event], { registry: eventRegistry, pseudonymise, receivedAt: new Date() });
  for (const { row } of result.rows) {
    if (row.zone === 'quarantine') logQuarantined(row);
  }
  const report = await sender.send(packRows(result.rows.map((r) => r.line)));
  const quarantined = Object.values(result.quarantined).reduce((sum, n) => sum + n, 0);
  // EMF goes to stdout unwrapped: the JSON log format would nest a console.log line under "message".
  process.stdout.write(
    `${JSON.stringify(
      metricsDocument(
        service,
        {
          EventsAccepted: result.accepted,
          EventsQuarantined: quarantined,
          FirehoseRecords: report.records,
          FirehoseBytes: report.bytes,
          FirehoseCalls: report.calls,
          FirehoseRetriedRecords: report.retriedRecords,
        },
        Date.now(),
      ),
    )}\n`,
  );
  return { accepted: result.accepted, quarantined: result.quarantined, records: report.records };
};

function logQuarantined(row: QuarantineRow): void {
  // The reason is already redacted and the identifiers validated: safe to log.
  console.warn('event quarantined', { source: row.source, detailType: row.detailType, version: row.version, eventId: row.eventId, reason: row.reason });
}
