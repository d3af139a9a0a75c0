import { Construct } from 'constructs';
import { functionTriggers } from '@kestrel/service-manifest';
import type { ServiceManifest } from '@kestrel/service-manifest';
import type { EnvironmentConfig } from '../environments';
import type { KestrelStack } from '../kestrel-stack';
import { FunctionRule } from './function-rule';
import type { RetryPolicy } from './function-rule';
import type { ServiceFunctions } from './functions';
import type { ServiceKey } from './service-key';

/**
 * Schedules declare no retry policy: a tick that can't be delivered within an
 * hour is superseded by the next ones, so three attempts within the hour.
 */
export const SCHEDULE_RETRY: RetryPolicy = Object.freeze({ maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 });

/** The scheduled triggers of a manifest, named `<function>-schedule` (`-schedule-2`… when a function has several). */
export function scheduleTriggers(manifest: ServiceManifest): Array<{ functionName: string; name: string; expression: string }> {
  const schedules = functionTriggers(manifest).flatMap(({ functionName, trigger }) =>
    trigger.kind === 'schedule' ? [{ functionName, expression: trigger.expression }] : [],
  );
  return schedules.map((schedule, i) => {
    const ordinal = schedules.slice(0, i).filter((other) => other.functionName === schedule.functionName).length + 1;
    return { ...schedule, name: ordinal === 1 ? `${schedule.functionName}-schedule` : `${schedule.functionName}-schedule-${ordinal}` };
  });
}

export interface SchedulesProps {
  manifest: ServiceManifest;
  env: EnvironmentConfig;
  stack: KestrelStack;
  functions: ServiceFunctions;
  key: ServiceKey;
}

/** One rule with a schedule expression on the account's default bus per `schedule` trigger. */
export class Schedules extends Construct {
  readonly byName = new Map<string, FunctionRule>();

  constructor(scope: Construct, id: string, { manifest, env, stack, functions, key }: SchedulesProps) {
    super(scope, id);
    for (const { functionName, name, expression } of scheduleTriggers(manifest)) {
      this.byName.set(
        name,
        new FunctionRule(this, name, {
          ruleName: stack.resourceName(name),
          description: `Runs ${functionName} on ${expression}`,
          scheduleExpression: expression,
          target: functions.get(functionName),
          retry: SCHEDULE_RETRY,
          env,
          key,
        }),
      );
    }
  }
}
