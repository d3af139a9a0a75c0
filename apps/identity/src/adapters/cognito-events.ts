/**
 * Zod schemas of the events Cognito sends each trigger, written from the
 * Cognito developer guide's event descriptions (shared parameters plus each
 * trigger's request and response). Powertools' parser ships Cognito schemas
 * too, but they import zod by name (every locale lands in the bundle), accept
 * only `PreSignUp_SignUp` for pre sign-up, and require a non-empty session on
 * define-auth-challenge, which a passwordless flow's first call never has.
 *
 * Objects are not strict: Cognito adds fields over time, and a trigger must
 * return the event it got with only `response` changed. Bounds are generous
 * versions of Cognito's own limits, so hostile sizes fail here with the path
 * named instead of deep in domain code.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini (~20 KB against classic zod's ~85 KB in a bundle) ships no messages until told which:
// the English ones classic zod uses, so a rejected event names each bad field the same way.
z.config(en());

const stringMap = (maxValue = 2048) => z.record(z.string().check(z.maxLength(128)), z.string().check(z.maxLength(maxValue)));
/** Cognito sends `null` or omits optional maps. */
const optionalMap = z.nullish(stringMap());
const MAX_SESSION = 10;

// `/* @__PURE__ */ built(() => schema)`: esbuild may then drop a trigger's schema from the bundles of
// the other triggers (a `.check()` call at module level would keep every schema in every bundle).
const built = <T>(build: () => T): T => build();

function sources<const T extends readonly [string, ...string[]]>(trigger: string, values: T) {
  return z.enum(values, { error: (issue) => `unsupported trigger source ${JSON.stringify(String(issue.input).slice(0, 64))} for the ${trigger} trigger (expected ${values.join(', ')})` });
}

const shared = {
  version: z.string().check(z.maxLength(16)),
  region: z.string().check(z.regex(/^[a-z0-9-]{1,32}$/, 'must be an AWS region')),
  userPoolId: z.string().check(z.regex(/^[A-Za-z0-9-]+_[A-Za-z0-9]+$/, 'must be a user pool id')),
  userName: z.string().check(z.maxLength(256)),
  callerContext: z.object({
    awsSdkVersion: z.nullish(z.string().check(z.maxLength(128))),
    // Null for some administrator flows (and always possible in cognito-local).
    clientId: z.nullish(z.string().check(z.maxLength(128))),
  }),
};

export const preSignUpEvent = /* @__PURE__ */ built(() =>
  z.object({
    ...shared,
    triggerSource: sources('pre sign-up', ['PreSignUp_SignUp', 'PreSignUp_AdminCreateUser', 'PreSignUp_ExternalProvider']),
    request: z.object({ userAttributes: stringMap(), validationData: optionalMap, clientMetadata: optionalMap }),
  }),
);
export type PreSignUpEvent = z.output<typeof preSignUpEvent>;

export const customMessageEvent = /* @__PURE__ */ built(() =>
  z.object({
    ...shared,
    triggerSource: sources('custom message', [
      'CustomMessage_SignUp',
      'CustomMessage_AdminCreateUser',
      'CustomMessage_ResendCode',
      'CustomMessage_ForgotPassword',
      'CustomMessage_UpdateUserAttribute',
      'CustomMessage_VerifyUserAttribute',
      'CustomMessage_Authentication',
    ]),
    request: z.object({
      userAttributes: stringMap(),
      codeParameter: z.string().check(z.minLength(1), z.maxLength(64)),
      linkParameter: z.nullish(z.string().check(z.maxLength(2048))),
      usernameParameter: z.nullish(z.string().check(z.maxLength(64))),
      clientMetadata: optionalMap,
    }),
  }),
);
export type CustomMessageEvent = z.output<typeof customMessageEvent>;

export const postConfirmationEvent = /* @__PURE__ */ built(() =>
  z.object({
    ...shared,
    triggerSource: sources('post confirmation', ['PostConfirmation_ConfirmSignUp', 'PostConfirmation_ConfirmForgotPassword']),
    request: z.object({ userAttributes: stringMap(), clientMetadata: optionalMap }),
  }),
);
export type PostConfirmationEvent = z.output<typeof postConfirmationEvent>;

export const preAuthenticationEvent = /* @__PURE__ */ built(() =>
  z.object({
    ...shared,
    triggerSource: sources('pre authentication', ['PreAuthentication_Authentication']),
    request: z.object({ userAttributes: stringMap(), validationData: optionalMap, userNotFound: z.nullish(z.boolean()) }),
  }),
);
export type PreAuthenticationEvent = z.output<typeof preAuthenticationEvent>;

export const postAuthenticationEvent = /* @__PURE__ */ built(() =>
  z.object({
    ...shared,
    triggerSource: sources('post authentication', ['PostAuthentication_Authentication']),
    request: z.object({ userAttributes: stringMap(), newDeviceUsed: z.nullish(z.boolean()), clientMetadata: optionalMap }),
  }),
);
export type PostAuthenticationEvent = z.output<typeof postAuthenticationEvent>;

export const preTokenGenerationEvent = /* @__PURE__ */ built(() =>
  z.object({
    ...shared,
    triggerSource: sources('pre token generation', [
      'TokenGeneration_HostedAuth',
      'TokenGeneration_Authentication',
      'TokenGeneration_NewPasswordChallenge',
      'TokenGeneration_AuthenticateDevice',
      'TokenGeneration_RefreshTokens',
    ]),
    request: z.object({
      userAttributes: stringMap(),
      groupConfiguration: z.nullish(
        z.object({
          groupsToOverride: z.nullish(z.array(z.string().check(z.maxLength(128))).check(z.maxLength(500))),
          iamRolesToOverride: z.nullish(z.array(z.string().check(z.maxLength(2048))).check(z.maxLength(500))),
          preferredRole: z.nullish(z.string().check(z.maxLength(2048))),
        }),
      ),
      scopes: z.nullish(z.array(z.string().check(z.maxLength(256))).check(z.maxLength(100))),
      clientMetadata: optionalMap,
    }),
    response: z.nullish(z.record(z.string(), z.unknown())),
  }),
);
export type PreTokenGenerationEvent = z.output<typeof preTokenGenerationEvent>;

export const userMigrationEvent = /* @__PURE__ */ built(() =>
  z.object({
    ...shared,
    triggerSource: sources('user migration', ['UserMigration_Authentication', 'UserMigration_ForgotPassword']),
    request: z.object({
      // Absent on forgot-password; bounded generously so the domain can refuse it in the same words as a wrong one.
      password: z.nullish(z.string().check(z.maxLength(4096))),
      validationData: optionalMap,
      clientMetadata: optionalMap,
    }),
  }),
);
export type UserMigrationEvent = z.output<typeof userMigrationEvent>;

const challengeResult = z.object({
  challengeName: z.string().check(z.maxLength(64)),
  challengeResult: z.boolean(),
  challengeMetadata: z.nullish(z.string().check(z.maxLength(2048))),
});

export const defineAuthChallengeEvent = /* @__PURE__ */ built(() =>
  z.object({
    ...shared,
    triggerSource: sources('define auth challenge', ['DefineAuthChallenge_Authentication']),
    request: z.object({
      userAttributes: stringMap(),
      session: z.array(challengeResult).check(z.maxLength(MAX_SESSION)),
      clientMetadata: optionalMap,
      userNotFound: z.nullish(z.boolean()),
    }),
  }),
);
export type DefineAuthChallengeEvent = z.output<typeof defineAuthChallengeEvent>;

export const createAuthChallengeEvent = /* @__PURE__ */ built(() =>
  z.object({
    ...shared,
    triggerSource: sources('create auth challenge', ['CreateAuthChallenge_Authentication']),
    request: z.object({
      userAttributes: stringMap(),
      challengeName: z.string().check(z.maxLength(64)),
      session: z.array(challengeResult).check(z.maxLength(MAX_SESSION)),
      clientMetadata: optionalMap,
      userNotFound: z.nullish(z.boolean()),
    }),
  }),
);
export type CreateAuthChallengeEvent = z.output<typeof createAuthChallengeEvent>;

export const verifyAuthChallengeEvent = /* @__PURE__ */ built(() =>
  z.object({
    ...shared,
    triggerSource: sources('verify auth challenge', ['VerifyAuthChallengeResponse_Authentication']),
    request: z.object({
      userAttributes: stringMap(),
      privateChallengeParameters: z.nullish(stringMap()),
      challengeAnswer: z.string().check(z.maxLength(2048)),
      clientMetadata: optionalMap,
      userNotFound: z.nullish(z.boolean()),
    }),
  }),
);
export type VerifyAuthChallengeEvent = z.output<typeof verifyAuthChallengeEvent>;
