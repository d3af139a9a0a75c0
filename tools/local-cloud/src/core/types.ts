/**
 * The seams of the local cloud. Every emulated or proxied AWS service plugs
 * into the edge server through `ServiceHandler`, into `terraform apply`
 * through `ResourceProvisioner`, and reaches its peers (EventBridge delivering
 * to Lambda or SQS, Pipes putting on a bus…) through the in-process interfaces
 * below, never over HTTP to itself.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { LocalIam } from '../iam/authorizer';
import type { Telemetry } from './telemetry';

export const LOCAL_ACCOUNT_ID = '000000000000';
/** The local cloud's one region unless told otherwise: the region every environment's stacks name (`environments.config.ts`). */
export const LOCAL_REGION = 'eu-west-1';

/** One AWS API call as it reached the edge endpoint, already attributed to a service. */
export interface AwsRequest {
  method: string;
  /** Path without the query string, e.g. `/2015-03-31/functions/my-fn/invocations`. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** SigV4 credential-scope service name (`events`, `lambda`, `sqs`, `dynamodb`, `s3`, `firehose`, `pipes`, `ssm`, `cognito-idp`…). */
  service: string;
  /** For JSON-protocol services: the operation from `X-Amz-Target` (`AWSEvents.PutEvents` → `PutEvents`). */
  operation?: string;
  region: string;
  accountId: string;
}

export interface AwsResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A service behind the edge endpoint. Throw `AwsServiceError` for AWS-shaped failures. */
export interface ServiceHandler {
  /** The SigV4 service names this handler answers for. */
  readonly serviceNames: readonly string[];
  handle(request: AwsRequest): Promise<AwsResponse>;
}

/**
 * A failure that must reach the SDK in AWS's own error shape. The edge server
 * renders it per protocol (`__type` + `message` for JSON protocols,
 * `x-amzn-errortype` for REST-JSON, XML for query/REST-XML).
 */
export class AwsServiceError extends Error {
  constructor(
    /** AWS error code, e.g. `ResourceNotFoundException`, `ValidationException`. */
    readonly code: string,
    message: string,
    /** HTTP status; AWS uses 400 for client faults unless the API documents otherwise. */
    readonly status = 400,
    /** Extra fields some APIs put next to `message`. */
    readonly extra: Record<string, unknown> = {},
    /**
     * Extra response headers, e.g. SQS's `x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender`
     * (the SDK's query-compatible error mapping reads it).
     */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** A resource in a synthesized stack, with every `${…}` reference already resolved. */
export interface ResolvedResource {
  stack: string;
  /** Terraform type, e.g. `aws_sqs_queue`. */
  type: string;
  /** Logical name in the stack's JSON (`resource.<type>.<name>`). */
  name: string;
  /** `<type>.<name>` — the address Terraform would print. */
  address: string;
  config: Record<string, unknown>;
  /** Folder of the synthesized stack (`…/stacks/<stack>`), for resolving asset paths. */
  stackDir: string;
  /**
   * The resource's `lifecycle.ignore_changes`: top-level attribute names, or `'all'`. On a
   * re-apply the interpreter has already put the current values of these attributes into
   * `config`; on creation a provisioner may use it to tell a value Terraform only seeds (a
   * placeholder an operator replaces by hand in AWS) from one it owns.
   */
  ignoreChanges?: readonly string[] | 'all';
  /** With `ignoreChanges` on a re-apply: the configuration as the stack declares it, before current values replaced the ignored attributes. */
  declared?: Record<string, unknown>;
}

/** Attributes a provisioner exports for other resources to reference (`arn`, `id`, `name`, `url`…). */
export type ResourceAttributes = Record<string, unknown>;

/** Brings one Terraform resource type to life in the local cloud. */
export interface ResourceProvisioner {
  readonly type: string;
  /**
   * Set when the resource is accepted and recorded but its configuration has
   * no local effect (e.g. `configuration recorded, not enforced` for S3 bucket
   * encryption); the interpreter marks such resources `recorded` in state.
   */
  readonly notEnforced?: string;
  /**
   * Create or update (apply is idempotent: re-applying the same config changes nothing).
   * `previous` holds the attributes this resource exported on the last apply, if any
   * (lets generated names such as `bucket_prefix` stay stable).
   */
  apply(resource: ResolvedResource, previous?: ResourceAttributes): Promise<ResourceAttributes>;
  /**
   * Terraform's refresh: the resource's attributes as they are now (changed out of band, e.g. a
   * parameter value put by hand), given those of the last apply. Used for `lifecycle.ignore_changes`,
   * whose attributes keep their current value on a re-apply; without it, the last apply's value is kept.
   */
  refresh?(resource: ResolvedResource, previous: ResourceAttributes): Promise<ResourceAttributes>;
  destroy?(resource: ResolvedResource, attributes: ResourceAttributes): Promise<void>;
}

/** A data source the interpreter can read (`data.aws_ssm_parameter.bus.value`). */
export interface DataSourceReader {
  readonly type: string;
  read(resource: ResolvedResource): Promise<ResourceAttributes>;
}

// ---- In-process seams between services ----

export type InvocationType = 'RequestResponse' | 'Event';

export interface InvokeResult {
  /** 200 for RequestResponse, 202 for Event. */
  statusCode: number;
  /** The function's JSON result (or error object when `functionError` is set). */
  payload: unknown;
  /** `Unhandled` when the handler threw or timed out, as Lambda reports it. */
  functionError?: 'Unhandled' | 'Handled';
  executedVersion?: string;
}

export interface LambdaInvoker {
  /** Invoke by name or ARN. Event invocations are queued with Lambda's async retry rules. */
  invoke(functionNameOrArn: string, payload: unknown, options: { invocationType: InvocationType }): Promise<InvokeResult>;
  functionExists(functionNameOrArn: string): boolean;
}

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

export interface QueueSender {
  sendMessage(
    queueArnOrUrl: string,
    body: string,
    attributes?: Record<string, MessageAttributeValue>,
  ): Promise<{ messageId: string }>;
  queueExists(queueArnOrUrl: string): boolean;
}

/** Mirrors `PutEventsRequestEntry` of the SDK. */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date | string;
  TraceHeader?: string;
}

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface EventPublisher {
  putEvents(entries: PutEventsEntry[]): Promise<{ FailedEntryCount: number; Entries: PutEventsResultEntry[] }>;
}

export interface FirehoseRecordSink {
  putRecordBatch(
    deliveryStreamName: string,
    records: Uint8Array[],
  ): Promise<{ FailedPutCount: number; RequestResponses: Array<{ RecordId?: string; ErrorCode?: string; ErrorMessage?: string }> }>;
}

/** A line of the per-service part of `GET /_local/state`. */
export interface StateContributor {
  /** Key in the state document (`functions`, `queues`, `buses`…). */
  readonly stateKey: string;
  /** May answer with a promise (a proxied component is asked for its live state). */
  describe(): unknown;
}

/**
 * How a service reaches its peers. Getters are resolved lazily, so modules can
 * be constructed in any order; a getter throws if that peer is not running.
 */
export interface Peers {
  lambda(): LambdaInvoker;
  sqs(): QueueSender;
  events(): EventPublisher;
  firehose(): FirehoseRecordSink;
}

export interface LocalCloudContext {
  accountId: string;
  region: string;
  /** `http://127.0.0.1:<port>`: what handlers get as `AWS_ENDPOINT_URL`. */
  endpoint: string;
  /** The interface the edge binds (`LOCAL_CLOUD_HOST`); modules with their own listeners bind the same. */
  listenHost?: string;
  /** Root of persisted state (git-ignored `.local-cloud/`); each module uses its own sub-folder. */
  dataDir: string;
  /** When true (tests), modules keep their state in memory only and real components run without persistence. */
  inMemory?: boolean;
  peers: Peers;
  /**
   * IAM of this local cloud: credentials it issued, the applied stacks' roles and
   * policies, the edge's decisions. Absent in tests that build modules by hand.
   */
  iam?: LocalIam;
  /**
   * True while a stack this run expects is not applied yet (pending, being applied, or failed and
   * waiting for a fix): an event recovered from a journal whose function or target is missing waits
   * for it instead of being dropped. Absent (tests building modules by hand): a fixed grace applies.
   */
  awaitingStacks?: () => boolean;
  /** What happens (events, deliveries, invocations, HTTP requests) for the console; absent in tests that build modules by hand. */
  telemetry?: Telemetry;
  /** Structured progress/diagnostic output a person can follow. */
  log(message: string, fields?: Record<string, unknown>): void;
}

/**
 * The in-process peers a module offers to the others. The composition root
 * wires `Peers.lambda()` to the module whose `provides.lambda` is set, and so
 * on; at most one module may provide each peer.
 */
export interface PeerProviders {
  lambda?: LambdaInvoker;
  sqs?: QueueSender;
  events?: EventPublisher;
  firehose?: FirehoseRecordSink;
}

/** One service of the local cloud (Lambda, SQS, EventBridge…), as the composition root sees it. */
export interface LocalServiceModule {
  readonly name: string;
  /** Peers this module implements for the others (see `PeerProviders`). */
  readonly provides?: PeerProviders;
  readonly handlers: readonly ServiceHandler[];
  readonly provisioners: readonly ResourceProvisioner[];
  readonly dataSources?: readonly DataSourceReader[];
  readonly state: readonly StateContributor[];
  start?(): Promise<void>;
  stop(): Promise<void>;
  /** Called after each stack applied, with what it became (outputs included); e.g. SSM plays the operator for the stack's `operator-secrets`. */
  afterStackApplied?(stack: { name: string; outputs: Record<string, unknown> }): void | Promise<void>;
  /**
   * When this module stops relative to the others: lower stops first; modules
   * with the same number stop together. Sources of work (pollers, HTTP
   * listeners) stop before the buffers they feed, buffers flush before the
   * stores they write to. Default {@link DEFAULT_STOP_ORDER}.
   */
  readonly stopOrder?: number;
}

/** Stores and real components (DynamoDB Local, s3rver…) stop last, after everything that writes to them. */
export const DEFAULT_STOP_ORDER = 100;

/** Each service module exports a factory of this shape. */
export type LocalServiceFactory = (context: LocalCloudContext) => LocalServiceModule;
