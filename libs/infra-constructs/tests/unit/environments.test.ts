import { describe, expect, it } from 'vitest';
import { allEnvironments, environment, ENVIRONMENT_NAMES, parseEnvironment } from '../../src/environments';
import { environmentInputs } from '../../src/environments.config';

describe('environment', () => {
  it('validates every configured environment and derives its state bucket', () => {
    // prepare / act
    const configs = allEnvironments();

    // assess
    expect(configs.map((config) => config.name)).toEqual([...ENVIRONMENT_NAMES]);
    for (const config of configs) {
      expect(config.stateBucket).toBe(`kestrel-terraform-state-${config.accountId}`);
    }
  });

  it('keeps production stricter than staging where the values say so', () => {
    // act
    const staging = environment('staging');
    const production = environment('production');

    // assess
    expect(production.accountId).not.toBe(staging.accountId);
    expect(production.archiveRetentionDays).toBeGreaterThan(staging.archiveRetentionDays);
    expect(production.logRetentionDays).toBeGreaterThan(staging.logRetentionDays);
    expect(production.alarms.lambdaErrorsThreshold).toBeLessThanOrEqual(staging.alarms.lambdaErrorsThreshold);
  });

  it('returns a frozen object so one stack cannot change another stack’s view', () => {
    // act
    const staging = environment('staging');

    // assess
    expect(Object.isFrozen(staging)).toBe(true);
  });
});

describe('parseEnvironment', () => {
  const valid = environmentInputs.staging;

  it('names every invalid field with the environment as prefix', () => {
    // prepare
    const input = {
      ...valid,
      accountId: '1234',
      region: 'Ireland',
      logRetentionDays: 10,
      alarms: { ...valid?.alarms, periodSeconds: 90 },
      webOrigins: ['https://app.example.com/login'],
    };

    // act
    const parse = () => parseEnvironment('staging', input);

    // assess
    expect(parse).toThrowError(/staging\.accountId: must be a 12-digit AWS account id/);
    expect(parse).toThrowError(/staging\.region: must be an AWS region/);
    expect(parse).toThrowError(/staging\.logRetentionDays: must be a CloudWatch Logs retention value/);
    expect(parse).toThrowError(/staging\.alarms\.periodSeconds: must be a multiple of 60/);
    expect(parse).toThrowError(/staging\.webOrigins\.0: must be '\*' or an origin/);
  });

  it('rejects unknown fields instead of silently ignoring a typo', () => {
    // prepare
    const input = { ...valid, archiveRetentionDay: 7 };

    // act / assess
    expect(() => parseEnvironment('staging', input)).toThrowError(/archiveRetentionDay/);
  });

  it('rejects a config whose name differs from its key', () => {
    // prepare
    const input = { ...valid, name: 'production' };

    // act / assess
    expect(() => parseEnvironment('staging', input)).toThrowError('staging.name: must equal its key "staging"');
  });

  it('accepts a changed value that is still valid', () => {
    // prepare
    const input = { ...valid, archiveRetentionDays: 7 };

    // act
    const config = parseEnvironment('staging', input);

    // assess
    expect(config.archiveRetentionDays).toBe(7);
  });
});
