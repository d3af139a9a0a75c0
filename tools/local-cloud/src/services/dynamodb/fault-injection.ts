/**
 * Throttling on demand for DynamoDB, which DynamoDB Local never does: a named
 * table refuses a fraction of its reads and writes as DynamoDB refuses them,
 * so clients' retries, handlers' failure paths and the monitors on throttle
 * counts can be exercised (the game day drills it).
 *
 * Local-only controls on the DynamoDB endpoint (`X-Amz-Target: DynamoDB_20120810.<op>`):
 * - `LocalSetFaultInjection {TableName, ThrottleRate, ErrorCode?}`: a rate (0–1] of the
 *   table's data-plane requests is throttled; 0 turns it off. `ErrorCode` is
 *   `ProvisionedThroughputExceededException` (default) or `ThrottlingException`.
 * - `LocalDescribeFaultInjection {}`: each table's switch and how many read and write
 *   requests were throttled (what CloudWatch counts as `ReadThrottleEvents` /
 *   `WriteThrottleEvents`), including tables whose switch was turned off since.
 *
 * What a throttled request gets, as DynamoDB answers it (JSON 1.0, HTTP 400, `__type`
 * namespaced like DynamoDB's own errors, `ThrottlingReasons` naming the table):
 * - single-table operations: the configured exception;
 * - `BatchWriteItem`/`BatchGetItem`: the throttled tables' requests come back in
 *   `UnprocessedItems`/`UnprocessedKeys` and the rest is done; the exception only when
 *   every table of the batch is throttled (DynamoDB fails the call when none could be processed);
 * - `TransactWriteItems`/`TransactGetItems`: `TransactionCanceledException` with a
 *   `ThrottlingError` cancellation reason for each throttled table's action.
 */
import type { AwsRequest, AwsResponse } from '../../core/types';
import { AwsServiceError } from '../../core/types';
import { jsonResponse, parseJsonBody } from '../../core/protocol';

const NAMESPACE = 'com.amazonaws.dynamodb.v20120810#';

const MESSAGES = {
  ProvisionedThroughputExceededException:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  ThrottlingException:
    'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly.',
} as const;

export type ThrottleErrorCode = keyof typeof MESSAGES;

type Access = 'Read' | 'Write';

const SINGLE_TABLE: Record<string, Access> = {
  GetItem: 'Read',
  Query: 'Read',
  Scan: 'Read',
  PutItem: 'Write',
  UpdateItem: 'Write',
  DeleteItem: 'Write',
};

interface TableSwitch {
  rate: number;
  errorCode: ThrottleErrorCode;
  readThrottleEvents: number;
  writeThrottleEvents: number;
}

/** What the handler does with a request: answer it here, or forward (maybe a trimmed body) and finish the answer. */
export type FaultDecision =
  | { kind: 'answer'; response: AwsResponse }
  | { kind: 'forward'; body?: Buffer; complete?: (responseText: string) => string }
  | undefined;

export class DynamoDbFaultInjection {
  private readonly tables = new Map<string, TableSwitch>();

  constructor(
    private readonly where: { region: string; accountId: string },
    private readonly random: () => number = Math.random,
  ) {}

  private arnOf(table: string): string {
    return `arn:aws:dynamodb:${this.where.region}:${this.where.accountId}:table/${table}`;
  }

  /** Sets one table's throttling; a rate of 0 turns it off (its counts are kept). */
  set(table: string, rate: number, errorCode: ThrottleErrorCode = 'ProvisionedThroughputExceededException'): void {
    if (!(rate >= 0 && rate <= 1)) throw new AwsServiceError('ValidationException', `ThrottleRate must be a number between 0 and 1 (0 turns throttling off), got ${String(rate)}`);
    if (!(errorCode in MESSAGES)) throw new AwsServiceError('ValidationException', `ErrorCode must be one of ${Object.keys(MESSAGES).join(', ')}, got ${String(errorCode)}`);
    const existing = this.tables.get(table);
    this.tables.set(table, { readThrottleEvents: 0, writeThrottleEvents: 0, ...existing, rate, errorCode });
  }

  /** Every table ever switched, with its throttle counts. */
  describe(): { TableName: string; ThrottleRate: number; ErrorCode: ThrottleErrorCode; ReadThrottleEvents: number; WriteThrottleEvents: number }[] {
    return [...this.tables].map(([TableName, s]) => ({ TableName, ThrottleRate: s.rate, ErrorCode: s.errorCode, ReadThrottleEvents: s.readThrottleEvents, WriteThrottleEvents: s.writeThrottleEvents }));
  }

  /** Whether this request is throttled, answered locally (control operations), or forwarded. */
  decide(request: AwsRequest): FaultDecision {
    switch (request.operation) {
      case 'LocalSetFaultInjection': {
        const input = parseJsonBody(request);
        if (typeof input.TableName !== 'string' || input.TableName === '') throw new AwsServiceError('ValidationException', 'TableName (the table to throttle) is required');
        if (typeof input.ThrottleRate !== 'number') throw new AwsServiceError('ValidationException', 'ThrottleRate (a number between 0 and 1; 0 turns throttling off) is required');
        this.set(input.TableName, input.ThrottleRate, (input.ErrorCode as ThrottleErrorCode | undefined) ?? undefined);
        return { kind: 'answer', response: jsonResponse({ Tables: this.describe() }, { protocol: 'awsJson1_0' }) };
      }
      case 'LocalDescribeFaultInjection':
        return { kind: 'answer', response: jsonResponse({ Tables: this.describe() }, { protocol: 'awsJson1_0' }) };
    }
    if (![...this.tables.values()].some((s) => s.rate > 0) || !request.operation) return undefined;
    const single = SINGLE_TABLE[request.operation];
    if (single) {
      const { TableName } = parseJsonBody<{ TableName?: unknown }>(request);
      const hit = typeof TableName === 'string' ? this.throttles(TableName, single) : undefined;
      return hit ? { kind: 'answer', response: this.error(hit, [{ table: TableName as string, access: single }]) } : undefined;
    }
    if (request.operation === 'BatchWriteItem' || request.operation === 'BatchGetItem') return this.batch(request, request.operation === 'BatchWriteItem' ? 'Write' : 'Read');
    if (request.operation === 'TransactWriteItems' || request.operation === 'TransactGetItems') return this.transaction(request, request.operation === 'TransactWriteItems' ? 'Write' : 'Read');
    return undefined;
  }

  /** Draws for one request on one table; counts it when throttled. */
  private throttles(table: string, access: Access): ThrottleErrorCode | undefined {
    const s = this.tables.get(table);
    if (!s || s.rate <= 0 || this.random() >= s.rate) return undefined;
    if (access === 'Read') s.readThrottleEvents += 1;
    else s.writeThrottleEvents += 1;
    return s.errorCode;
  }

  private reasons(hits: { table: string; access: Access }[]) {
    // On-demand tables throttle on a hot key range; the reason format is ResourceType+OperationType+LimitType.
    return hits.map(({ table, access }) => ({ reason: `Table${access}KeyRangeThroughputExceeded`, resource: this.arnOf(table) }));
  }

  private error(code: ThrottleErrorCode, hits: { table: string; access: Access }[]): AwsResponse {
    return jsonResponse({ __type: `${NAMESPACE}${code}`, message: MESSAGES[code], ThrottlingReasons: this.reasons(hits) }, { status: 400, protocol: 'awsJson1_0' });
  }

  private batch(request: AwsRequest, access: Access): FaultDecision {
    const input = parseJsonBody<{ RequestItems?: Record<string, unknown> }>(request);
    const requestItems = input.RequestItems ?? {};
    const tables = Object.keys(requestItems);
    const hits = tables.flatMap((table) => {
      const code = this.throttles(table, access);
      return code ? [{ table, access, code }] : [];
    });
    if (hits.length === 0) return undefined;
    if (hits.length === tables.length) return { kind: 'answer', response: this.error((hits[0] as { code: ThrottleErrorCode }).code, hits) };
    const held = Object.fromEntries(hits.map(({ table }) => [table, requestItems[table]]));
    const rest = Object.fromEntries(Object.entries(requestItems).filter(([table]) => !(table in held)));
    const field = access === 'Write' ? 'UnprocessedItems' : 'UnprocessedKeys';
    return {
      kind: 'forward',
      body: Buffer.from(JSON.stringify({ ...input, RequestItems: rest })),
      complete: (text) => {
        const answer = JSON.parse(text) as Record<string, Record<string, unknown> | undefined>;
        return JSON.stringify({ ...answer, [field]: { ...answer[field], ...held } });
      },
    };
  }

  private transaction(request: AwsRequest, access: Access): FaultDecision {
    const input = parseJsonBody<{ TransactItems?: Record<string, { TableName?: string }>[] }>(request);
    const items = input.TransactItems ?? [];
    const tableOf = (item: Record<string, { TableName?: string }>) => Object.values(item)[0]?.TableName ?? '';
    const drawn = new Map<string, ThrottleErrorCode | undefined>();
    for (const table of new Set(items.map(tableOf))) drawn.set(table, this.throttles(table, access));
    if (![...drawn.values()].some(Boolean)) return undefined;
    const codes = items.map((item) => (drawn.get(tableOf(item)) ? 'ThrottlingError' : 'None'));
    const reasons = items.map((item, i) => (codes[i] === 'ThrottlingError' ? { Code: 'ThrottlingError', Message: MESSAGES.ThrottlingException } : { Code: 'None' }));
    return {
      kind: 'answer',
      response: jsonResponse(
        { __type: `${NAMESPACE}TransactionCanceledException`, message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`, CancellationReasons: reasons },
        { status: 400, protocol: 'awsJson1_0' },
      ),
    };
  }
}
