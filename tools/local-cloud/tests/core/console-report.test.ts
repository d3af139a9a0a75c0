import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleReport, formatMessage } from '../../src/console-report';

function report(verbose = false) {
  const printed: string[] = [];
  const logFile = join(mkdtempSync(join(tmpdir(), 'console-report-')), 'logs', 'local-cloud.log');
  const console = new ConsoleReport({ logFile, verbose, write: (text) => printed.push(text) });
  return { console, printed, logged: () => readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('what npm start prints', () => {
  it('names the function, the error type and its message in a failure line', () => {
    // act
    const line = formatMessage('lambda: batch failed: the function returned an error; its messages return after the visibility timeout', {
      function: 'kestrel-staging-analytics-ingest-ingest',
      errorType: 'PseudonymisationKeyUnavailableError',
      error: 'Parameter /kestrel/staging/analytics-ingest/pseudonymisation-key does not hold a base64 key\n    at decodeKey',
      messages: 3,
    });
    // assess
    expect(line).toBe(
      'lambda: kestrel-staging-analytics-ingest-ingest: batch failed: the function returned an error; its messages return after the visibility timeout (PseudonymisationKeyUnavailableError: Parameter /kestrel/staging/analytics-ingest/pseudonymisation-key does not hold a base64 key)',
    );
  });

  it('prints a problem once however often it recurs, keeps routine messages off the console, and logs everything with its fields', () => {
    // prepare
    const { console, printed, logged } = report();
    const failure = { function: 'kestrel-staging-customers-on-user-registered', errorType: 'TypeError', error: 'x is undefined' };
    // act
    console.log('lambda: function created', { function: 'kestrel-staging-customers-on-user-registered' });
    for (let poll = 0; poll < 5; poll += 1) console.log('lambda: batch failed: the function returned an error', failure);
    console.log('cognito: WARNING aws_cognito_user_pool.users: triggers recorded but never called by cognito-local (not emulated): PreAuthentication');
    // assess
    expect(printed).toEqual([
      '      ! lambda: kestrel-staging-customers-on-user-registered: batch failed: the function returned an error (TypeError: x is undefined)\n',
      '      ! cognito: WARNING aws_cognito_user_pool.users: triggers recorded but never called by cognito-local (not emulated): PreAuthentication\n',
    ]);
    expect(logged()).toHaveLength(7);
    expect(logged()[0]).toMatchObject({ message: 'lambda: function created', function: 'kestrel-staging-customers-on-user-registered' });
  });

  it('holds the problems of one stack so they print under its line', () => {
    // prepare
    const { console, printed } = report();
    // act
    console.collectNotes();
    console.log('terraform: NOT EMULATED s: aws_glue_catalog_table.t (aws_glue_catalog_table)');
    const notes = console.takeNotes();
    // assess
    expect(printed).toEqual([]);
    expect(notes).toEqual(['terraform: NOT EMULATED s: aws_glue_catalog_table.t (aws_glue_catalog_table)']);
  });

  it('prints what a module means for the person at the keyboard (a confirmation code), every time', () => {
    // prepare
    const { console, printed } = report();
    // act
    console.log('cognito: code 123456 for ada@example.com', { console: true });
    console.log('cognito: code 654321 for ada@example.com', { console: true });
    // assess
    expect(printed).toEqual(['      · cognito: code 123456 for ada@example.com\n', '      · cognito: code 654321 for ada@example.com\n']);
  });

  it('prints every message with --verbose', () => {
    // prepare
    const { console, printed } = report(true);
    // act
    console.log('dynamodb: created table t');
    // assess
    expect(printed).toEqual(['      · dynamodb: created table t\n']);
  });

  it('keeps one run per log file, the previous run beside it', () => {
    // prepare
    const logFile = join(mkdtempSync(join(tmpdir(), 'console-report-')), 'local-cloud.log');
    new ConsoleReport({ logFile, write: () => undefined }).detail('first run');
    // act
    new ConsoleReport({ logFile, write: () => undefined }).detail('second run');
    // assess
    expect(readFileSync(logFile, 'utf8')).toContain('second run');
    expect(readFileSync(logFile, 'utf8')).not.toContain('first run');
    expect(readFileSync(logFile.replace('.log', '.previous.log'), 'utf8')).toContain('first run');
  });
});
