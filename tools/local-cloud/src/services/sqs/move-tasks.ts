/**
 * DLQ redrive as SQS offers it (`StartMessageMoveTask`, `ListMessageMoveTasks`,
 * `CancelMessageMoveTask`): a task moves the messages a dead-letter queue
 * holds when it starts, at most `MaxNumberOfMessagesPerSecond` a second (500
 * when not given), to one destination queue or, by default, back to the queue
 * each message came from (its `DeadLetterQueueSourceArn`).
 *
 * Each message moves in one synchronous step (`SqsService.moveMessage`), so a
 * cancel, a failure or a stop between two moves leaves every message in
 * exactly one queue. Tasks persist in `<dataDir>/sqs/move-tasks.json`; a task
 * still running when the local cloud stopped is listed as FAILED after the
 * restart (its remaining messages are still in the dead-letter queue; start a
 * new task), where AWS would carry on.
 *
 * Not emulated: FIFO dead-letter queues as sources (refused with
 * `UnsupportedOperation`), the CANCELLING state (a cancel takes effect at once).
 */
import { randomUUID } from 'node:crypto';
import { readFileIfExists, writeFileAtomically } from '../../core/files';
import { AwsServiceError } from '../../core/types';
import { SqsErrors } from './errors';
import type { SqsService } from './sqs-service';

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

interface MoveTask {
  taskId: string;
  sourceArn: string;
  destinationArn?: string;
  maxNumberOfMessagesPerSecond?: number;
  status: MoveTaskStatus;
  startedTimestamp: number;
  moved: number;
  toMove: number;
  failureReason?: string;
  /** Ids of the messages still to move (those in the queue when the task started). */
  pending: string[];
}

/** `ListMessageMoveTasksResultEntry` as the JSON protocol carries it. */
export interface MoveTaskEntry {
  TaskHandle?: string;
  Status: MoveTaskStatus;
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  FailureReason?: string;
  StartedTimestamp: number;
}

const DEFAULT_RATE = 500;
const TICK_MS = 50;
/** AWS keeps the most recent tasks per source; ListMessageMoveTasks returns at most 10. */
const KEPT_PER_SOURCE = 10;

export interface MessageMoveTasksOptions {
  /** `move-tasks.json` lives here; omit to keep tasks in memory. */
  dataDir?: string;
  now?: () => number;
}

export class MessageMoveTasks {
  private readonly tasks: MoveTask[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly path: string | undefined;
  private readonly now: () => number;

  constructor(
    private readonly sqs: SqsService,
    options: MessageMoveTasksOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.path = options.dataDir ? `${options.dataDir}/move-tasks.json` : undefined;
    this.load();
  }

  /** Starts a task and answers its handle. */
  start(request: { sourceArn: string; destinationArn?: string; maxNumberOfMessagesPerSecond?: number }): string {
    const source = this.sourceQueue(request.sourceArn);
    if (this.sqs.deadLetterSourcesOf(source.name).length === 0) {
      throw SqsErrors.invalidParameterValue(
        `Source queue ${request.sourceArn} must be configured as a dead-letter queue: no queue's RedrivePolicy names it as deadLetterTargetArn.`,
      );
    }
    if (source.fifo) throw SqsErrors.unsupportedOperation('Moving messages out of a FIFO dead-letter queue is not emulated by the local SQS.');
    if (request.destinationArn !== undefined) this.existingQueue(request.destinationArn, 'DestinationArn');
    if (this.tasks.some((task) => task.sourceArn === source.arn && task.status === 'RUNNING')) {
      throw SqsErrors.invalidParameterValue(`There is already a task running on ${source.arn}. Only one active task is allowed for a source queue at a given time.`);
    }
    const pending = [...source.messages.keys()];
    const task: MoveTask = {
      taskId: randomUUID(),
      sourceArn: source.arn,
      destinationArn: request.destinationArn,
      maxNumberOfMessagesPerSecond: request.maxNumberOfMessagesPerSecond,
      status: 'RUNNING',
      startedTimestamp: this.now(),
      moved: 0,
      toMove: pending.length,
      pending,
    };
    this.tasks.push(task);
    this.trim(source.arn);
    this.run(task);
    return handleOf(task);
  }

  /** The most recent tasks of a source queue, newest first. */
  list(sourceArn: string, maxResults: number): MoveTaskEntry[] {
    const source = this.sourceQueue(sourceArn);
    return this.tasks
      .filter((task) => task.sourceArn === source.arn)
      .sort((a, b) => b.startedTimestamp - a.startedTimestamp)
      .slice(0, maxResults)
      .map((task) => ({
        ...(task.status === 'RUNNING' ? { TaskHandle: handleOf(task) } : {}),
        Status: task.status,
        SourceArn: task.sourceArn,
        ...(task.destinationArn !== undefined ? { DestinationArn: task.destinationArn } : {}),
        ...(task.maxNumberOfMessagesPerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: task.maxNumberOfMessagesPerSecond } : {}),
        ApproximateNumberOfMessagesMoved: task.moved,
        ApproximateNumberOfMessagesToMove: task.toMove,
        ...(task.failureReason !== undefined ? { FailureReason: task.failureReason } : {}),
        StartedTimestamp: task.startedTimestamp,
      }));
  }

  /** Cancels a running task; answers how many messages it had moved. */
  cancel(taskHandle: string): number {
    const taskId = taskIdOf(taskHandle);
    const task = this.tasks.find((candidate) => candidate.taskId === taskId);
    if (!task) throw SqsErrors.resourceNotFound(`Task does not exist: ${taskHandle}`);
    if (task.status !== 'RUNNING') {
      throw SqsErrors.invalidParameterValue(`Only a RUNNING task can be cancelled; task ${taskHandle} is ${task.status}.`);
    }
    this.finish(task, 'CANCELLED');
    return task.moved;
  }

  /** Stops every timer and saves the tasks (running ones resume as FAILED after a restart, see the header). */
  stop(): void {
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
    this.save();
  }

  private run(task: MoveTask): void {
    const rate = task.maxNumberOfMessagesPerSecond ?? DEFAULT_RATE;
    let budget = 0;
    let last = this.now();
    this.save();
    const tick = () => {
      const now = this.now();
      budget = Math.min(budget + ((now - last) / 1000) * rate, Math.max(1, rate));
      last = now;
      this.moveSome(task, Math.floor(budget), (moved) => (budget -= moved));
    };
    this.timers.set(task.taskId, setInterval(tick, TICK_MS));
    tick();
  }

  /** Moves up to `allowance` messages of the task; reports how many moved. */
  private moveSome(task: MoveTask, allowance: number, spent: (moved: number) => void): void {
    if (task.status !== 'RUNNING') return;
    const source = this.sqs.find(task.sourceArn);
    if (!source) return this.finish(task, 'FAILED', `The source queue ${task.sourceArn} was deleted while the task ran.`);
    let moved = 0;
    const stillPending: string[] = [];
    const fail = (index: number, reason: string) => {
      task.pending = [...stillPending, ...task.pending.slice(index)];
      spent(moved);
      this.finish(task, 'FAILED', reason);
    };
    for (const [index, messageId] of task.pending.entries()) {
      const message = source.messages.get(messageId);
      if (!message) continue; // deleted or expired meanwhile: nothing to move
      if (moved >= allowance) {
        stillPending.push(messageId);
        continue;
      }
      const destination = task.destinationArn ?? message.deadLetterSourceArn;
      if (destination === undefined) {
        return fail(index, `Message ${messageId} was sent to the dead-letter queue directly, so it has no source queue to return to; give a DestinationArn.`);
      }
      try {
        if (this.sqs.moveMessage(source.name, messageId, destination)) {
          moved += 1;
          task.moved += 1;
        } else {
          stillPending.push(messageId); // in flight: moved once it is visible again
        }
      } catch (error) {
        const missing = error instanceof AwsServiceError && error.code === 'QueueDoesNotExist';
        return fail(index, missing ? `Destination queue ${destination} does not exist.` : `Message ${messageId}: ${(error as Error).message}`);
      }
    }
    task.pending = stillPending;
    spent(moved);
    if (task.pending.length === 0) this.finish(task, 'COMPLETED');
    // Progress survives a crash too (a few small writes a second while messages move).
    else if (moved > 0) this.save();
  }

  private finish(task: MoveTask, status: Exclude<MoveTaskStatus, 'RUNNING'>, failureReason?: string): void {
    task.status = status;
    if (failureReason !== undefined) task.failureReason = failureReason;
    const timer = this.timers.get(task.taskId);
    if (timer) clearInterval(timer);
    this.timers.delete(task.taskId);
    this.save();
  }

  private sourceQueue(sourceArn: string) {
    return this.existingQueue(sourceArn, 'SourceArn');
  }

  private existingQueue(arn: string, parameter: string) {
    if (!/^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[\w.-]+$/.test(arn)) {
      throw SqsErrors.invalidParameterValue(`Value ${arn} for parameter ${parameter} is invalid. Reason: it must be an SQS queue ARN.`);
    }
    const queue = this.sqs.find(arn);
    if (!queue) throw SqsErrors.resourceNotFound(`The resource that you specified for the ${parameter} parameter doesn't exist: ${arn}`);
    return queue;
  }

  /** Keeps the most recent tasks per source queue, as ListMessageMoveTasks can show no more. */
  private trim(sourceArn: string): void {
    const ofSource = this.tasks.filter((task) => task.sourceArn === sourceArn).sort((a, b) => a.startedTimestamp - b.startedTimestamp);
    for (const old of ofSource.slice(0, Math.max(0, ofSource.length - KEPT_PER_SOURCE))) {
      if (old.status !== 'RUNNING') this.tasks.splice(this.tasks.indexOf(old), 1);
    }
  }

  private load(): void {
    if (!this.path) return;
    const text = readFileIfExists(this.path);
    if (text === undefined) return;
    for (const task of (JSON.parse(text) as { tasks: MoveTask[] }).tasks) {
      if (task.status === 'RUNNING') {
        task.status = 'FAILED';
        task.failureReason = `The local cloud stopped while the task ran, after ${task.moved} of ${task.toMove} messages; the rest are still in the dead-letter queue: start a new task.`;
      }
      this.tasks.push(task);
    }
  }

  private save(): void {
    if (this.path) writeFileAtomically(this.path, JSON.stringify({ tasks: this.tasks }));
  }
}

/** AWS's task handles are opaque base64; ours encode the task id and source, like theirs. */
function handleOf(task: MoveTask): string {
  return Buffer.from(JSON.stringify({ taskId: task.taskId, sourceArn: task.sourceArn })).toString('base64');
}

function taskIdOf(handle: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as { taskId?: unknown };
    if (typeof parsed.taskId === 'string') return parsed.taskId;
  } catch {
    // falls through to the error below
  }
  throw SqsErrors.resourceNotFound(`Task does not exist: ${handle} is not a task handle.`);
}
