import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { parseEvent, UserSignedInV1 } from '@kestrel/contracts';
import { IdentityTable } from '../../src/adapters/identity-table';
import { SignInGuardTable, suspensions } from '../../src/adapters/sign-in-guard-table';
import { createHandler as createPreAuthentication } from '../../src/handlers/cognito-pre-authentication';
import { createHandler as createPostAuthentication } from '../../src/handlers/cognito-post-authentication';
import { createHandler as createCreateChallenge } from '../../src/handlers/cognito-create-auth-challenge';
import { createHandler as createVerifyChallenge } from '../../src/handlers/cognito-verify-auth-challenge';
import { createHandler as createDefineChallenge } from '../../src/handlers/cognito-define-auth-challenge';
import type { AnswerOutcome } from '../../src/domain/one-time-code';
import { failureWindow, OTP_POLICY } from '../../src/domain/one-time-code';
import * as events from '../fixtures/cognito-events';
import type { SessionEntry } from '../fixtures/cognito-events';
import { asDelivered, createIdentityTables, outboxEvents, RecordingGroupMembership, RecordingMailer, streamRecords } from './support';
import type { IdentityTables } from './support';

const defineChallenge = createDefineChallenge({ log: () => undefined });
/** The HMAC key the triggers read from SSM in AWS; here a fixed random one. */
const CODE_KEY = randomBytes(32);
const codeKey = async () => CODE_KEY;

let tables: IdentityTables;
beforeAll(async () => {
  tables = await createIdentityTables();
});
afterAll(() => tables.delete());

/**
 * The start of the current 15-minute failure window, plus a second: near the
 * real time, because DynamoDB Local's TTL really deletes items whose `ttl` is
 * past, and at a window start, so a test never straddles two windows.
 */
function windowStart(): Date {
  return new Date(Date.parse(failureWindow(new Date()).startsAt) + 1000);
}

/** The four sign-in triggers on one table and one clock (tests move it). */
function signIn(start = windowStart()) {
  let now = start;
  const clock = { clock: () => now, log: () => undefined };
  const table = new IdentityTable(tables.documents, tables.identity.tableName);
  const guards = new SignInGuardTable(tables.documents, tables.identity.tableName);
  const mailer = new RecordingMailer();
  const groups = new RecordingGroupMembership();
  const outcomes: AnswerOutcome[] = [];
  return {
    mailer,
    groups,
    outcomes,
    advance: (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
    preAuthentication: createPreAuthentication(() => guards, clock),
    postAuthentication: createPostAuthentication(() => ({ table, guards, groups }), clock),
    create: createCreateChallenge(() => ({ table: guards, mailer, codeKey }), clock),
    verify: createVerifyChallenge(() => ({ table: guards, codeKey }), (outcome) => outcomes.push(outcome), clock),
  };
}

/** One passwordless session the way Cognito drives it: define → create → (verify → define → create)… */
async function passwordlessSession(flow: ReturnType<typeof signIn>, userName: string, answers: (code: string) => string[], options: { userNotFound?: boolean; email?: string } = {}) {
  const userNotFound = options.userNotFound ?? false;
  const email = options.email ?? 'ada@example.com';
  const userAttributes = userNotFound ? {} : events.attributes({ email });
  const session: SessionEntry[] = [];
  const results: boolean[] = [];
  const planned: string[] = [];
  for (;;) {
    const step = (await defineChallenge(events.defineAuthChallenge(session, userNotFound, userName))).response;
    if (!('challengeName' in step)) return { issued: step.issueTokens, results };
    const created = (await flow.create(events.createAuthChallenge(session, { userName, userNotFound, userAttributes }))).response;
    if (planned.length === 0) planned.push(...answers(userNotFound ? '000000' : flow.mailer.lastCode(email)));
    const answer = planned[results.length] ?? '000000';
    const verified = await flow.verify({ ...events.verifyAuthChallenge(answer, created.privateChallengeParameters, { userName, userNotFound }), request: { ...events.verifyAuthChallenge(answer, created.privateChallengeParameters, { userName, userNotFound }).request as object, userAttributes } });
    results.push(verified.response.answerCorrect);
    session.push({ challengeName: 'CUSTOM_CHALLENGE', challengeResult: verified.response.answerCorrect, challengeMetadata: created.challengeMetadata });
  }
}

const wrongFor = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('passwordless sign-in with a one-time code', () => {
  it('mails a code, accepts it once, and issues tokens', async () => {
    // prepare
    const flow = signIn();
    const userName = globalThis.crypto.randomUUID();
    // act
    const session = await passwordlessSession(flow, userName, (code) => [code]);
    // assess
    expect(flow.outcomes).toEqual(['correct']);
    expect(session).toEqual({ issued: true, results: [true] });
    expect(flow.mailer.sent).toHaveLength(1);
    expect(flow.mailer.sent[0]?.message.emailSubject).toBe('Your Kestrel sign-in code');
    expect(flow.mailer.sent[0]?.message.emailMessage).toMatch(/\d{6}/);
  });

  it('keeps one code per session: a wrong answer mails nothing new, and the right one still works', async () => {
    const flow = signIn();
    const userName = globalThis.crypto.randomUUID();
    const session = await passwordlessSession(flow, userName, (code) => [wrongFor(code), code]);
    expect(session).toEqual({ issued: true, results: [false, true] });
    expect(flow.mailer.sent).toHaveLength(1);
  });

  it('fails the session after three wrong answers', async () => {
    const flow = signIn();
    const session = await passwordlessSession(flow, globalThis.crypto.randomUUID(), (code) => [wrongFor(code), wrongFor(code), wrongFor(code)]);
    expect(session).toEqual({ issued: false, results: [false, false, false] });
  });

  it('refuses an expired code', async () => {
    // prepare
    const flow = signIn();
    const userName = globalThis.crypto.randomUUID();
    const created = (await flow.create(events.createAuthChallenge([], { userName }))).response;
    flow.advance(OTP_POLICY.ttlSeconds + 1);
    // act
    const verified = await flow.verify(events.verifyAuthChallenge(flow.mailer.lastCode('ada@example.com'), created.privateChallengeParameters, { userName }));
    // assess
    expect(verified.response.answerCorrect).toBe(false);
    expect(flow.outcomes).toEqual(['expired']);
  });

  it('accepts a code only once, even replayed in the same session', async () => {
    const flow = signIn();
    const userName = globalThis.crypto.randomUUID();
    const created = (await flow.create(events.createAuthChallenge([], { userName }))).response;
    const code = flow.mailer.lastCode('ada@example.com');
    const first = await flow.verify(events.verifyAuthChallenge(code, created.privateChallengeParameters, { userName }));
    const replay = await flow.verify(events.verifyAuthChallenge(code, created.privateChallengeParameters, { userName }));
    expect([first.response.answerCorrect, replay.response.answerCorrect]).toEqual([true, false]);
    expect(flow.outcomes).toEqual(['correct', 'already-answered']);
  });

  it('makes brute force impossible: once five guesses have failed, no new code is made or mailed in the window, and passwords still work', async () => {
    // prepare
    const flow = signIn();
    const userName = globalThis.crypto.randomUUID();
    // act: an attacker runs session after session of wrong guesses until no code is issued any more
    const verdicts: boolean[] = [];
    let refusal: Error | undefined;
    for (let attempt = 0; attempt < 34 && refusal === undefined; attempt += 1) {
      const session = await passwordlessSession(flow, userName, (code) => [wrongFor(code), wrongFor(code), wrongFor(code)]).catch((error: Error) => error);
      if (session instanceof Error) refusal = session;
      else verdicts.push(...session.results);
    }
    const mailed = flow.mailer.sent.length;
    // …then the owner, in the same window
    const owner = await passwordlessSession(flow, userName, (code) => [code]).catch((error: Error) => error);
    // assess
    expect(verdicts.filter(Boolean)).toEqual([]);
    expect(flow.outcomes.filter((outcome) => outcome === 'wrong')).toHaveLength(OTP_POLICY.failuresPerWindow);
    expect(refusal?.message).toMatch(/^Too many wrong codes\. Sign in with your password, or try a code again in \d+ minutes?\.$/);
    expect(owner).toBeInstanceOf(Error);
    expect(flow.mailer.sent).toHaveLength(mailed);
    expect(mailed).toBeLessThanOrEqual(2);
    // The code failures lock nothing else: the password sign-in goes ahead.
    await expect(flow.preAuthentication(events.preAuthentication(userName))).resolves.toMatchObject({ response: {} });
  });

  it('mails one code per code lifetime however often someone asks, and the owner signs in with it', async () => {
    // prepare
    const flow = signIn();
    const userName = globalThis.crypto.randomUUID();
    // act: ten new sessions that never answer (an anonymous caller who knows the address)
    const created = [];
    for (let i = 0; i < 10; i += 1) created.push((await flow.create(events.createAuthChallenge([], { userName }))).response);
    const owner = await passwordlessSession(flow, userName, (code) => [code]);
    // assess
    expect(flow.mailer.sent).toHaveLength(1);
    expect(new Set(created.map((c) => c.privateChallengeParameters.challengeId)).size).toBe(1);
    expect(owner).toEqual({ issued: true, results: [true] });
  });

  it('counts parallel guesses exactly: no more than five are ever judged in a window', async () => {
    // prepare: twenty sessions, each with its own code
    const flow = signIn();
    const userName = globalThis.crypto.randomUUID();
    const challenges = [];
    for (let i = 0; i < 20; i += 1) challenges.push((await flow.create(events.createAuthChallenge([], { userName }))).response);
    // act: the last challenge's code is the live one; fire all guesses at once
    await Promise.all(challenges.map((created) => flow.verify(events.verifyAuthChallenge('123456', created.privateChallengeParameters, { userName }))));
    // assess
    expect(flow.outcomes.filter((outcome) => outcome === 'locked')).toHaveLength(20 - OTP_POLICY.failuresPerWindow);
  });

  it('unlocks when the window ends', async () => {
    const flow = signIn();
    const userName = globalThis.crypto.randomUUID();
    for (let i = 0; i < 2; i += 1) await passwordlessSession(flow, userName, (code) => [wrongFor(code), wrongFor(code), wrongFor(code)]);
    await expect(flow.create(events.createAuthChallenge([], { userName }))).rejects.toThrow(/Too many wrong codes/);
    flow.advance(OTP_POLICY.windowSeconds);
    expect((await passwordlessSession(flow, userName, (code) => [code])).issued).toBe(true);
  });

  it('treats a user name Cognito does not know exactly like a real one: same steps, same lock, no mail', async () => {
    const flow = signIn();
    const unknown = `nobody-${globalThis.crypto.randomUUID()}@example.com`;
    const first = (await flow.create(events.createAuthChallenge([], { userName: unknown, userNotFound: true }))).response;
    expect(Object.keys(first.publicChallengeParameters)).toEqual(['delivery', 'destination']);
    expect(first.publicChallengeParameters.destination).toBe('n•••@example.com');
    for (let i = 0; i < 2; i += 1) await passwordlessSession(flow, unknown, () => ['111111', '222222', '333333'], { userNotFound: true });
    expect(flow.mailer.sent).toEqual([]);
    await expect(flow.create(events.createAuthChallenge([], { userName: unknown, userNotFound: true }))).rejects.toThrow(/Too many wrong codes/);
    await expect(flow.preAuthentication(events.preAuthentication(unknown, {}, true))).resolves.toMatchObject({ response: {} });
  });

  it('refuses malformed answers and hostile user names without judging them', async () => {
    const flow = signIn();
    const userName = globalThis.crypto.randomUUID();
    const created = (await flow.create(events.createAuthChallenge([], { userName }))).response;
    const overlong = await flow.verify(events.verifyAuthChallenge('1'.repeat(5000), created.privateChallengeParameters, { userName })).catch((e: Error) => e);
    expect(overlong).toMatchObject({ name: 'Rejected', message: expect.stringMatching(/^Invalid request: request\.challengeAnswer: Too big/) });
    const letters = await flow.verify(events.verifyAuthChallenge('12a456', created.privateChallengeParameters, { userName }));
    expect(letters.response.answerCorrect).toBe(false);
    await expect(flow.preAuthentication(events.preAuthentication('ada\u0000@example.com'))).rejects.toThrow('The user name is not valid.');
  });
});

describe('pre authentication', () => {
  it('lets a normal account through and blocks a suspended one', async () => {
    const flow = signIn();
    const userName = globalThis.crypto.randomUUID();
    await expect(flow.preAuthentication(events.preAuthentication(userName))).resolves.toMatchObject({ response: {} });
    await tables.documents.send(new PutCommand({ TableName: tables.identity.tableName, Item: suspensions.toItem({ userName, reason: 'chargeback review', since: '2026-03-01T00:00:00.000Z' }) }));
    await expect(flow.preAuthentication(events.preAuthentication(userName))).rejects.toThrow('This account is suspended. Please contact support.');
  });
});

describe('post authentication', () => {
  async function signedInEventsFor(userId: string) {
    const published = outboxEvents(await streamRecords(tables.client, tables.endpoint, tables.identity.tableName));
    return published.filter((event) => event.detail.data.userId === userId);
  }

  it('audits each sign-in and publishes UserSignedIn for it', async () => {
    // prepare
    const start = windowStart();
    const flow = signIn(start);
    const sub = globalThis.crypto.randomUUID();
    // act
    await flow.postAuthentication(events.postAuthentication(sub, events.attributes({ sub }), true), { awsRequestId: 'auth-1' });
    flow.advance(60);
    await flow.postAuthentication(events.postAuthentication(sub, events.attributes({ sub })), { awsRequestId: 'auth-2' });
    // assess
    const published = await signedInEventsFor(sub);
    expect(published.map((event) => parseEvent([UserSignedInV1], asDelivered(event)).detail.data)).toEqual([
      { userId: sub, clientId: events.CLIENT_ID, method: 'password', signedInAt: start.toISOString() },
      { userId: sub, clientId: events.CLIENT_ID, method: 'password', signedInAt: new Date(start.getTime() + 60_000).toISOString() },
    ]);
    const { Items = [] } = await tables.documents.send(
      new QueryCommand({ TableName: tables.identity.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :signin)', ExpressionAttributeValues: { ':pk': `USER#${sub}`, ':signin': 'SIGNIN#' } }),
    );
    expect(Items.map((item) => [item.method, item.newDevice])).toEqual([
      ['password', true],
      ['password', false],
    ]);
    expect(flow.groups.calls).toEqual([]);
  });

  it('names a one-time-code sign-in as such', async () => {
    const flow = signIn();
    const sub = globalThis.crypto.randomUUID();
    await passwordlessSession(flow, sub, (code) => [code]);
    await flow.postAuthentication(events.postAuthentication(sub, events.attributes({ sub })));
    expect((await signedInEventsFor(sub)).map((event) => event.detail.data.method)).toEqual(['one-time-code']);
  });

  it('registers a migrated user on their first sign-in only, and puts them in customers', async () => {
    // prepare
    const flow = signIn();
    const sub = globalThis.crypto.randomUUID();
    const migrated = events.attributes({ sub, 'custom:origin': 'migration' });
    // act
    await flow.postAuthentication(events.postAuthentication(sub, migrated));
    await flow.postAuthentication(events.postAuthentication(sub, migrated));
    // assess
    const published = await signedInEventsFor(sub);
    expect(published.map((event) => [event.detailType, event.detail.data.method ?? event.detail.data.origin])).toEqual([
      ['UserRegistered', 'migration'],
      ['UserSignedIn', 'migration'],
      ['UserSignedIn', 'password'],
    ]);
    expect(flow.groups.calls).toHaveLength(1);
  });

  it('refuses an event whose user has no valid sub', async () => {
    const flow = signIn();
    await expect(flow.postAuthentication(events.postAuthentication('x', events.attributes({ sub: 'not-a-uuid' })))).rejects.toThrow('The account has no valid user id.');
  });
});
