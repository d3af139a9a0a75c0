import { Construct } from 'constructs';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import { functionTriggers } from '@kestrel/service-manifest';
import type { CognitoTrigger, ServiceManifest } from '@kestrel/service-manifest';
import type { ServiceFunctions } from './functions';

/** The `lambda_config` attribute (cdktn property name) of a user pool for each trigger. */
export const USER_POOL_LAMBDA_CONFIG_KEYS = {
  PreSignUp: 'preSignUp',
  CustomMessage: 'customMessage',
  PostConfirmation: 'postConfirmation',
  PreAuthentication: 'preAuthentication',
  PostAuthentication: 'postAuthentication',
  PreTokenGeneration: 'preTokenGeneration',
  UserMigration: 'userMigration',
  DefineAuthChallenge: 'defineAuthChallenge',
  CreateAuthChallenge: 'createAuthChallenge',
  VerifyAuthChallengeResponse: 'verifyAuthChallengeResponse',
} as const satisfies Record<CognitoTrigger, string>;

export type UserPoolLambdaConfig = Partial<Record<(typeof USER_POOL_LAMBDA_CONFIG_KEYS)[CognitoTrigger], string>>;

export interface CognitoTriggersProps {
  manifest: ServiceManifest;
  functions: ServiceFunctions;
  /** The user pool, when it exists before this stack (otherwise call {@link CognitoTriggers.allowUserPool}). */
  userPoolArn?: string;
}

/**
 * The functions behind Cognito triggers, for the identity stack to plug into
 * its user pool: `arns` by trigger name, `lambdaConfig` ready for
 * `new CognitoUserPool(…, { lambdaConfig })`. Cognito may invoke them only
 * from the user pool given to {@link allowUserPool}; synth fails if a stack
 * with Cognito triggers never names it.
 */
export class CognitoTriggers extends Construct {
  readonly arns: Partial<Record<CognitoTrigger, string>> = {};
  private readonly functionNames = new Map<CognitoTrigger, string>();
  private readonly functions: ServiceFunctions;
  private allowed = false;

  constructor(scope: Construct, id: string, { manifest, functions, userPoolArn }: CognitoTriggersProps) {
    super(scope, id);
    this.functions = functions;
    for (const { functionName, trigger } of functionTriggers(manifest)) {
      if (trigger.kind !== 'cognito') continue;
      const claimed = this.functionNames.get(trigger.trigger);
      if (claimed) throw new Error(`Cognito trigger ${trigger.trigger} is claimed by both "${claimed}" and "${functionName}"`);
      this.functionNames.set(trigger.trigger, functionName);
      this.arns[trigger.trigger] = functions.get(functionName).arn;
    }
    if (userPoolArn) this.allowUserPool(userPoolArn);
    this.node.addValidation({
      validate: () =>
        this.functionNames.size > 0 && !this.allowed
          ? [`Cognito triggers (${[...this.functionNames.keys()].join(', ')}) have no invoke permission: pass userPoolArn or call cognitoTriggers.allowUserPool(pool.arn)`]
          : [],
    });
  }

  /** The user pool's `lambda_config`, by cdktn property name. */
  get lambdaConfig(): UserPoolLambdaConfig {
    return Object.fromEntries(
      Object.entries(this.arns).map(([trigger, arn]) => [USER_POOL_LAMBDA_CONFIG_KEYS[trigger as CognitoTrigger], arn]),
    );
  }

  /** Lets Cognito invoke each trigger function, from this user pool only. */
  allowUserPool(userPoolArn: string): void {
    if (this.allowed) throw new Error('allowUserPool was already called: a service has one user pool');
    this.allowed = true;
    for (const functionName of new Set(this.functionNames.values())) {
      new LambdaPermission(this, `permission-${functionName}`, {
        action: 'lambda:InvokeFunction',
        functionName: this.functions.get(functionName).lambda.functionName,
        principal: 'cognito-idp.amazonaws.com',
        sourceArn: userPoolArn,
      });
    }
  }
}
