import { TerraformOutput } from 'cdktn';
import type { Construct } from 'constructs';
import { CloudwatchEventArchive } from '@cdktn/provider-aws/lib/cloudwatch-event-archive';
import { CloudwatchEventBus } from '@cdktn/provider-aws/lib/cloudwatch-event-bus';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { KestrelStack, platformBusName, platformParameters } from '@kestrel/infra-constructs';
import type { EnvironmentConfig } from '@kestrel/infra-constructs';

// EventBridge limits archive names to 48 characters.
const ARCHIVE_NAME_MAX_LENGTH = 48;

export interface PlatformStackProps {
  env: EnvironmentConfig;
}

/**
 * What every service shares: the environment's EventBridge bus, an archive of
 * everything published on it (for replay after a consumer bug), and SSM
 * parameters publishing the bus name and ARN. Services read those parameters
 * (see `PlatformBusReference`) rather than referencing this stack, so the
 * platform and each service plan and deploy independently.
 *
 * @example
 * ```ts
 * const app = createKestrelApp();
 * new PlatformStack(app, { env: environment('staging') }); // stack id 'platform-staging'
 * app.synth();
 * ```
 */
export class PlatformStack extends KestrelStack {
  readonly bus: CloudwatchEventBus;
  readonly archive: CloudwatchEventArchive;

  constructor(scope: Construct, { env }: PlatformStackProps) {
    super(scope, { stackName: 'platform', env, service: 'platform', owner: 'team-platform' });

    this.bus = new CloudwatchEventBus(this, 'bus', {
      name: platformBusName(env.name),
      description: `Kestrel ${env.name}: business events between bounded contexts`,
    });

    // No event pattern: every event on the bus is archived.
    this.archive = new CloudwatchEventArchive(this, 'archive', {
      name: this.resourceName('bus-archive', ARCHIVE_NAME_MAX_LENGTH),
      description: `Every event on ${platformBusName(env.name)}, kept ${env.archiveRetentionDays} days for replay`,
      eventSourceArn: this.bus.arn,
      retentionDays: env.archiveRetentionDays,
    });

    const parameters = platformParameters(env.name);
    new SsmParameter(this, 'event-bus-name-parameter', {
      name: parameters.eventBusName,
      description: 'Name of the platform EventBridge bus, read by service stacks',
      type: 'String',
      value: this.bus.name,
    });
    new SsmParameter(this, 'event-bus-arn-parameter', {
      name: parameters.eventBusArn,
      description: 'ARN of the platform EventBridge bus, read by service stacks',
      type: 'String',
      value: this.bus.arn,
    });

    new TerraformOutput(this, 'event-bus-name', { value: this.bus.name, description: 'Platform EventBridge bus name' });
    new TerraformOutput(this, 'event-bus-arn', { value: this.bus.arn, description: 'Platform EventBridge bus ARN' });
  }
}
