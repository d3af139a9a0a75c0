import { Construct } from 'constructs';
import { Lazy } from 'cdktn';
import { KmsAlias } from '@cdktn/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key';
import type { EnvironmentConfig } from '../environments';
import { eventRuleArnPatterns } from './arns';
import type { ResourcePolicyStatement } from './iam';

export interface ServiceKeyProps {
  env: EnvironmentConfig;
  service: string;
  /** `kestrel-<env>-<service>-`: the name prefix of the service's rules, which may write to its dead-letter queues. */
  rulePrefix: string;
}

/**
 * The service's customer-managed KMS key, rotated yearly: its tables and
 * queues are encrypted with it, so reading the data needs both the data
 * permission and the key, and CloudTrail shows every use.
 *
 * The key policy delegates to IAM (the account statement; without it nobody
 * could ever change the key) and, only when the service has EventBridge rules,
 * lets EventBridge encrypt messages into the rules' dead-letter queues — a
 * service principal can't get KMS rights through IAM.
 */
export class ServiceKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  private ruleDeadLetters = false;

  constructor(scope: Construct, id: string, { env, service, rulePrefix }: ServiceKeyProps) {
    super(scope, id);
    const policy = (): string => {
      const statements: ResourcePolicyStatement[] = [
        {
          Sid: 'AccountAdministersThroughIam',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${env.accountId}:root` },
          Action: ['kms:*'],
          // In a key policy "*" means this key.
          Resource: '*',
        },
      ];
      if (this.ruleDeadLetters) {
        statements.push({
          Sid: 'EventBridgeRulesWriteDeadLetters',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          Condition: {
            StringEquals: { 'aws:SourceAccount': env.accountId },
            ArnLike: { 'aws:SourceArn': eventRuleArnPatterns(env, rulePrefix) },
          },
        });
      }
      return JSON.stringify({ Version: '2012-10-17', Statement: statements });
    };

    this.key = new KmsKey(this, 'key', {
      description: `Kestrel ${env.name} ${service}: tables and queues`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: Lazy.stringValue({ produce: policy }),
    });
    this.alias = new KmsAlias(this, 'alias', { name: `alias/kestrel-${env.name}-${service}`, targetKeyId: this.key.keyId });
  }

  get arn(): string {
    return this.key.arn;
  }

  /** Called by whatever creates a rule with a dead-letter queue. */
  allowRuleDeadLetters(): void {
    this.ruleDeadLetters = true;
  }
}
