/**
 * Terraform resources of EventBridge, applied to the local EventBridge.
 * Arguments and exported ids follow the AWS provider (rule id
 * `<bus>/<rule>` off the default bus, target id `<bus>-<rule>-<target_id>`).
 */
import { createHash } from 'node:crypto';
import type { ResolvedResource, ResourceAttributes, ResourceProvisioner } from '../../core/types';
import type { EventBridgeService } from './eventbridge-service';
import { busNameOf, type Target } from './model';

/** Terraform JSON may hold a single nested block as an object or as a one-element list. */
function block(value: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(value)) return value[0] as Record<string, unknown> | undefined;
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function tagsOf(config: Record<string, unknown>): Array<{ Key: string; Value: string }> {
  return Object.entries((config.tags ?? {}) as Record<string, string>).map(([Key, Value]) => ({ Key, Value: String(Value) }));
}

function generatedName(resource: ResolvedResource, prefix: string): string {
  return `${prefix}${createHash('sha256').update(`${resource.stack}/${resource.address}`).digest('hex').slice(0, 26)}`;
}

function fail(resource: ResolvedResource, message: string): never {
  throw new Error(`${resource.address}: ${message}`);
}

/** Maps an `aws_cloudwatch_event_target` config to a PutTargets target. */
export function targetFromConfig(resource: ResolvedResource): Target {
  const config = resource.config;
  const arn = text(config.arn) ?? fail(resource, 'argument "arn" is required');
  const target: Target = {
    Id: text(config.target_id) ?? generatedName(resource, 'terraform-'),
    Arn: arn,
  };
  if (text(config.role_arn)) target.RoleArn = text(config.role_arn);
  if (text(config.input)) target.Input = text(config.input);
  if (text(config.input_path)) target.InputPath = text(config.input_path);
  const transformer = block(config.input_transformer);
  if (transformer) {
    target.InputTransformer = {
      InputTemplate: text(transformer.input_template) ?? fail(resource, 'input_transformer.input_template is required'),
      ...(transformer.input_paths ? { InputPathsMap: transformer.input_paths as Record<string, string> } : {}),
    };
  }
  const retry = block(config.retry_policy);
  if (retry) {
    target.RetryPolicy = {
      ...(retry.maximum_retry_attempts !== undefined ? { MaximumRetryAttempts: Number(retry.maximum_retry_attempts) } : {}),
      ...(retry.maximum_event_age_in_seconds !== undefined ? { MaximumEventAgeInSeconds: Number(retry.maximum_event_age_in_seconds) } : {}),
    };
  }
  const deadLetter = block(config.dead_letter_config);
  if (deadLetter && text(deadLetter.arn)) target.DeadLetterConfig = { Arn: text(deadLetter.arn) };
  const sqs = block(config.sqs_target);
  if (sqs && text(sqs.message_group_id)) target.SqsParameters = { MessageGroupId: text(sqs.message_group_id) };
  return target;
}

export function eventBridgeProvisioners(events: EventBridgeService): ResourceProvisioner[] {
  const bus: ResourceProvisioner = {
    type: 'aws_cloudwatch_event_bus',
    async apply(resource) {
      const name = text(resource.config.name) ?? fail(resource, 'argument "name" is required');
      const deadLetter = block(resource.config.dead_letter_config);
      if (name !== 'default' && !events.listBuses().some((candidate) => candidate.name === name)) {
        events.createBus({ Name: name, Description: text(resource.config.description), DeadLetterConfig: deadLetter ? { Arn: text(deadLetter.arn) } : undefined, Tags: tagsOf(resource.config) });
      }
      return { id: name, name, arn: events.arns.bus(name) };
    },
    async destroy(_resource, attributes) {
      const name = String(attributes.name ?? '');
      if (name && name !== 'default') events.deleteBus(name);
    },
  };

  const rule: ResourceProvisioner = {
    type: 'aws_cloudwatch_event_rule',
    async apply(resource) {
      const config = resource.config;
      const name = text(config.name) ?? (text(config.name_prefix) ? `${text(config.name_prefix)}${generatedName(resource, '').slice(0, 26)}` : generatedName(resource, 'terraform-'));
      const busName = busNameOf(text(config.event_bus_name));
      const state = text(config.state) ?? (config.is_enabled === false || config.is_enabled === 'false' ? 'DISABLED' : 'ENABLED');
      const record = events.putRule({
        Name: name,
        EventBusName: busName,
        EventPattern: text(config.event_pattern),
        ScheduleExpression: text(config.schedule_expression),
        State: state,
        Description: text(config.description),
        RoleArn: text(config.role_arn),
        Tags: tagsOf(config),
      });
      const arn = events.ruleArn(record);
      return { id: busName === 'default' ? name : `${busName}/${name}`, name, arn, event_bus_name: busName };
    },
    async destroy(_resource, attributes) {
      const name = String(attributes.name ?? '');
      const busName = String(attributes.event_bus_name ?? 'default');
      const existing = events.rulesOf(busName).find((candidate) => candidate.name === name);
      if (!existing) return;
      if (existing.targets.length > 0) events.removeTargets(name, busName, existing.targets.map((target) => target.Id));
      events.deleteRule(name, busName);
    },
  };

  const target: ResourceProvisioner = {
    type: 'aws_cloudwatch_event_target',
    async apply(resource) {
      const ruleName = text(resource.config.rule) ?? fail(resource, 'argument "rule" is required');
      const busName = busNameOf(text(resource.config.event_bus_name));
      const definition = targetFromConfig(resource);
      const failed = events.putTargets(ruleName, busName, [definition]);
      if (failed.length > 0) fail(resource, failed.map((entry) => `${entry.ErrorCode}: ${entry.ErrorMessage}`).join('; '));
      const attributes: ResourceAttributes = {
        id: busName === 'default' ? `${ruleName}-${definition.Id}` : `${busName}-${ruleName}-${definition.Id}`,
        rule: ruleName,
        target_id: definition.Id,
        arn: definition.Arn,
        event_bus_name: busName,
      };
      return attributes;
    },
    async destroy(_resource, attributes) {
      const ruleName = String(attributes.rule ?? '');
      const busName = String(attributes.event_bus_name ?? 'default');
      if (events.rulesOf(busName).some((candidate) => candidate.name === ruleName)) events.removeTargets(ruleName, busName, [String(attributes.target_id)]);
    },
  };

  const archive: ResourceProvisioner = {
    type: 'aws_cloudwatch_event_archive',
    async apply(resource) {
      const config = resource.config;
      const name = text(config.name) ?? fail(resource, 'argument "name" is required');
      const source = text(config.event_source_arn) ?? fail(resource, 'argument "event_source_arn" is required');
      const retentionDays = config.retention_days === undefined ? 0 : Number(config.retention_days);
      if (events.listArchives().some((candidate) => candidate.name === name)) {
        events.updateArchive({ ArchiveName: name, Description: text(config.description) ?? '', EventPattern: text(config.event_pattern) ?? '', RetentionDays: retentionDays });
      } else {
        events.createArchive({ ArchiveName: name, EventSourceArn: source, Description: text(config.description), EventPattern: text(config.event_pattern), RetentionDays: retentionDays });
      }
      return { id: name, name, arn: events.arns.archive(name) };
    },
    async destroy(_resource, attributes) {
      const name = String(attributes.name ?? '');
      if (events.listArchives().some((candidate) => candidate.name === name)) await events.deleteArchive(name);
    },
  };

  const busPolicy: ResourceProvisioner = {
    type: 'aws_cloudwatch_event_bus_policy',
    async apply(resource) {
      const busName = busNameOf(text(resource.config.event_bus_name));
      const policy = text(resource.config.policy) ?? fail(resource, 'argument "policy" is required');
      // DescribeEventBus shows it; the edge judges callers of other accounts by it (PutEvents).
      events.setBusPolicy(busName, policy);
      return { id: busName, event_bus_name: busName, policy };
    },
    async destroy(_resource, attributes) {
      const busName = String(attributes.event_bus_name ?? 'default');
      if (events.listBuses().some((candidate) => candidate.name === busName)) events.setBusPolicy(busName, undefined);
    },
  };

  return [bus, rule, target, archive, busPolicy];
}
