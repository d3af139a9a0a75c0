import { TerraformOutput } from 'cdktn';
import type { Construct } from 'constructs';
import { CloudwatchEventArchive } from '@cdktn/provider-aws/lib/cloudwatch-event-archive';
import { CloudwatchEventBus } from '@cdktn/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventBusPolicy } from '@cdktn/provider-aws/lib/cloudwatch-event-bus-policy';
import { KmsAlias } from '@cdktn/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { KestrelStack, platformBusName, platformParameters } from '@kestrel/infra-constructs';
import type { EnvironmentConfig } from '@kestrel/infra-constructs';
import { EventSchemas } from './event-schemas';
import { OWN_SOURCE_PREFIX, organizationId, validExternalPublishers } from './organization.config';
import type { ExternalPublisher } from './organization.config';
import { readSchemaLock } from './schema-lock';
import type { LockedEventSchema } from './schema-lock';

// EventBridge limits archive names to 48 characters.
const ARCHIVE_NAME_MAX_LENGTH = 48;

export interface PlatformStackProps {
  env: EnvironmentConfig;
  /** The AWS Organization allowed to put events on the bus; default from `organization.config.ts`. */
  organizationId?: string;
  /** Other accounts of the organization that may publish, each under its own sources; default from `organization.config.ts`. */
  externalPublishers?: ExternalPublisher[];
  /** Contract versions for the schema registry; default the committed lock in libs/contracts/schemas. */
  eventSchemas?: readonly LockedEventSchema[];
}

/**
 * What every service shares: the environment's EventBridge bus (open to
 * other accounts of our AWS Organization only under the sources each owns,
 * never `kestrel.*`), an archive of everything published on it (for replay
 * after a consumer bug, under its own KMS key), a schema registry with every contract
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
  /** Encrypts the archive, which holds every event (PII included) for the retention period. */
  readonly archiveKey: KmsKey;
  readonly busPolicy: CloudwatchEventBusPolicy;
  readonly eventSchemas: EventSchemas;

  constructor(
    scope: Construct,
    { env, organizationId: orgId = organizationId(env.name), externalPublishers, eventSchemas = readSchemaLock() }: PlatformStackProps,
  ) {
    super(scope, { stackName: 'platform', env, service: 'platform', owner: 'team-platform' });

    this.bus = new CloudwatchEventBus(this, 'bus', {
      name: platformBusName(env.name),
      description: `Kestrel ${env.name}: business events between bounded contexts`,
    });

    const archiveName = this.resourceName('bus-archive', ARCHIVE_NAME_MAX_LENGTH);
    const archiveArn = `arn:aws:events:${env.region}:${env.accountId}:archive/${archiveName}`;
    this.archiveKey = new KmsKey(this, 'archive-key', {
      description: `Kestrel ${env.name} platform: the bus archive`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            // Without it nobody could ever change the key; who may use it is then IAM's call.
            Sid: 'AccountAdministersThroughIam',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${env.accountId}:root` },
            Action: ['kms:*'],
            Resource: '*',
          },
          {
            // EventBridge, for this archive of this bus only (archiving and replays).
            Sid: 'EventBridgeArchivesThisBus',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ReEncrypt*'],
            Resource: '*',
            Condition: {
              StringEquals: { 'aws:SourceAccount': env.accountId },
              ArnEquals: { 'aws:SourceArn': archiveArn },
            },
          },
        ],
      }),
    });
    new KmsAlias(this, 'archive-key-alias', { name: `alias/${this.resourceName('bus-archive')}`, targetKeyId: this.archiveKey.keyId });

    // No event pattern: every event on the bus is archived.
    this.archive = new CloudwatchEventArchive(this, 'archive', {
      name: archiveName,
      description: `Every event on ${platformBusName(env.name)}, kept ${env.archiveRetentionDays} days for replay`,
      eventSourceArn: this.bus.arn,
      retentionDays: env.archiveRetentionDays,
      kmsKeyIdentifier: this.archiveKey.arn,
    });

    this.busPolicy = new CloudwatchEventBusPolicy(this, 'bus-policy', {
      eventBusName: this.bus.name,
      policy: JSON.stringify(busPolicy({ busArn: this.bus.arn, ownAccount: env.accountId, organizationId: orgId, publishers: validExternalPublishers(env.name, env.accountId, externalPublishers && { [env.name]: externalPublishers }) })),
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

/**
 * The bus's resource policy. Principals of the environment's own account
 * publish through their IAM policies (each service role limited to its own
 * `kestrel.<context>` source by its policy and its permissions boundary); the
 * policy adds, per external account of the organization, PutEvents under the
 * sources that account owns, and denies every other account any `kestrel.*`
 * source, whatever a later statement might allow.
 *
 * @example
 * ```ts
 * busPolicy({ busArn, ownAccount: '111111111111', organizationId: 'o-abc', publishers: [{ account: '333333333333', sources: ['partner.billing'] }] });
 * ```
 */
export function busPolicy({ busArn, ownAccount, organizationId: orgId, publishers }: { busArn: string; ownAccount: string; organizationId: string; publishers: readonly ExternalPublisher[] }) {
  return {
    Version: '2012-10-17',
    Statement: [
      ...publishers.map(({ account, sources }) => ({
        Sid: `PutOwnSourcesFrom${account}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId, 'events:source': sources } },
      })),
      {
        Sid: 'OnlyThisAccountPublishesKestrelSources',
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': ownAccount }, StringLike: { 'events:source': `${OWN_SOURCE_PREFIX}*` } },
      },
    ],
  };
}
