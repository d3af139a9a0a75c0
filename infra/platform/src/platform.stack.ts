import { TerraformOutput } from 'cdktn';
import type { Construct } from 'constructs';
import { CloudwatchEventArchive } from '@cdktn/provider-aws/lib/cloudwatch-event-archive';
import { CloudwatchEventBus } from '@cdktn/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventBusPolicy } from '@cdktn/provider-aws/lib/cloudwatch-event-bus-policy';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { KestrelStack } from '@kestrel/infra-constructs/kestrel-stack';
import { platformBusName, platformParameters } from '@kestrel/infra-constructs/platform-parameters';
import type { EnvironmentConfig } from '@kestrel/infra-constructs/environments';
import { EventSchemas } from './event-schemas';
import { organizationId } from './organization.config';
import { readSchemaLock } from './schema-lock';
import type { LockedEventSchema } from './schema-lock';

// EventBridge limits archive names to 48 characters.
const ARCHIVE_NAME_MAX_LENGTH = 48;

export interface PlatformStackProps {
  env: EnvironmentConfig;
  /** The AWS Organization allowed to put events on the bus; default from `organization.config.ts`. */
  organizationId?: string;
  /** Contract versions for the schema registry; default the committed lock in libs/contracts/schemas. */
  eventSchemas?: readonly LockedEventSchema[];
}

/**
 * What every service shares: the environment's EventBridge bus (open to our
 * AWS Organization only), an archive of everything published on it (for
 * replay after a consumer bug), a schema registry with every contract
 * version, and SSM
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
  readonly busPolicy: CloudwatchEventBusPolicy;
  readonly eventSchemas: EventSchemas;

  constructor(scope: Construct, { env, organizationId: orgId = organizationId(env.name), eventSchemas = readSchemaLock() }: PlatformStackProps) {
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

    // Same-account principals publish through their IAM policies (services are
    // restricted by events:source there); this resource policy adds principals of
    // our own AWS Organization and nobody else.
    this.busPolicy = new CloudwatchEventBusPolicy(this, 'bus-policy', {
      eventBusName: this.bus.name,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PutEventsFromOwnOrganization',
            Effect: 'Allow',
            Principal: '*',
            Action: 'events:PutEvents',
            Resource: this.bus.arn,
            Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } },
          },
        ],
      }),
    });

    this.eventSchemas = new EventSchemas(this, 'event-schemas', {
      registryName: this.resourceName('events'),
      schemas: eventSchemas,
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
