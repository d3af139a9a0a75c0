// Size and cold load of EVERY function of EVERY service (apps/*/service.ts) against the floor of
// what it needs, built in the same run with the same settings (tools/bundle's BUNDLE_OPTIONS):
// for each set of AWS clients a function bundles (read from its metafile), a reference handler
// that parses its input with zod/mini and makes one call with each of those clients. A function's
// bytes ÷ its reference's bytes is how far above the floor it is; cold load is measured in
// interleaved rounds (function, reference, function, …) in fresh Node processes, so both see the
// same machine, and reported as a ratio of medians. Sizes are deterministic and checked against
// tools/bundle/bench/budgets.json; times are reported, never asserted.
// Writes bench-results/handlers.json (invalid when a bundle fails to load) and prints a table.
// Run: npx tsx tools/bundle/bench/handlers.bench.ts [--runs 7] [--service customers] [--quick]
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleFunction, bundleService, coldLoadMs, loadManifest, median } from '../src/index';
import type { BundleResult } from '../src/index';
import { validity, writeBenchJson } from '@kestrel/bundle/bench-record';
import { handlerBudgetViolations, readBudgets } from './budgets';

const { values: args } = parseArgs({ options: { runs: { type: 'string' }, service: { type: 'string', multiple: true }, quick: { type: 'boolean' } } });
const RUNS = Number(args.runs ?? (args.quick ? 3 : 7));

const projectDir = fileURLToPath(new URL('..', import.meta.url));
const workspaceRoot = join(projectDir, '..', '..');
const resultsFile = join(projectDir, 'bench-results', 'handlers.json');
const round = (value: number, decimals = 1) => Number(value.toFixed(decimals));

/** One call per AWS client a function may bundle: the least code that client costs. */
const REFERENCE_CALLS: Record<string, { imports: string; setup: string; call: string }> = {
  '@aws-sdk/lib-dynamodb': {
    imports: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';",
    setup: 'const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    call: "await documents.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { id: input.id } }));",
  },
  '@aws-sdk/client-firehose': {
    imports: "import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';",
    setup: 'const firehose = new FirehoseClient({});',
    call: "await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'bench', Records: [{ Data: new TextEncoder().encode(input.id) }] }));",
  },
  '@aws-sdk/client-ssm': {
    imports: "import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';",
    setup: 'const ssm = new SSMClient({});',
    call: "await ssm.send(new GetParameterCommand({ Name: input.id }));",
  },
  '@aws-sdk/client-sesv2': {
    imports: "import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';",
    setup: 'const ses = new SESv2Client({});',
    call: "await ses.send(new SendEmailCommand({ Destination: { ToAddresses: [input.id] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } }));",
  },
  '@aws-sdk/client-cognito-identity-provider': {
    imports: "import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';",
    setup: 'const cognito = new CognitoIdentityProviderClient({});',
    call: "await cognito.send(new AdminGetUserCommand({ UserPoolId: 'pool', Username: input.id }));",
  },
  '@aws-sdk/client-eventbridge': {
    imports: "import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';",
    setup: 'const events = new EventBridgeClient({});',
    call: "await events.send(new PutEventsCommand({ Entries: [{ Source: 'bench', DetailType: 'x', Detail: '{}' }] }));",
  },
};

/** The AWS clients a bundle carries (the document client stands for client-dynamodb too). */
function clientsOf(bundle: BundleResult): string[] {
  const names = new Set(bundle.byPackage.map((entry) => entry.name).filter((name) => name in REFERENCE_CALLS));
  return [...names].sort();
}

function referenceSource(clients: readonly string[]): string {
  const calls = clients.map((client) => REFERENCE_CALLS[client] as (typeof REFERENCE_CALLS)[string]);
  return [
    "import * as z from 'zod/mini';",
    "import en from 'zod/v4/locales/en.js';",
    ...calls.map((c) => c.imports),
    'z.config(en());',
    'const schema = z.object({ id: z.string().check(z.minLength(1)) });',
    ...calls.map((c) => c.setup),
    'export const handler = async (event: unknown) => {',
    '  const input = schema.parse(event);',
    ...calls.map((c) => `  ${c.call}`),
    '  return { ok: true };',
    '};',
    '',
  ].join('\n');
}

/** What a function sees in Lambda, so module-level wiring runs as it would there. */
function lambdaEnvironment(tables: string[], functionName: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_NO_WARNINGS: '1',
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    TABLE_NAME: 'kestrel-bench',
  };
  for (const table of tables) env[`TABLE_NAME_${table.replace(/[^a-zA-Z0-9]/g, '_').toUpperCase()}`] = `kestrel-bench-${table}`;
  return env;
}

/** A copy of a bundle folder outside the repository, as Lambda would load it: nothing resolvable above it. */
function taskRootOf(bundleFolder: string, name: string): string {
  const taskRoot = mkdtempSync(join(tmpdir(), `kestrel-task-${name}-`));
  cpSync(bundleFolder, taskRoot, { recursive: true });
  return join(taskRoot, 'index.mjs');
}

const services = readdirSync(join(workspaceRoot, 'apps'))
  .filter((name) => existsSync(join(workspaceRoot, 'apps', name, 'service.ts')))
  .filter((name) => !args.service || args.service.includes(name))
  .sort();

const outRoot = mkdtempSync(join(tmpdir(), 'kestrel-handlers-bench-'));
// Reference entries live inside the workspace so they resolve the same node_modules as the handlers.
const referenceSources = join(projectDir, 'dist', 'bench-references');
mkdirSync(referenceSources, { recursive: true });
const references = new Map<string, { name: string; clients: string[]; bundle: BundleResult; file: string; loads: number[] }>();
const problems: string[] = [];
const rows: Array<{ service: string; function: string; bundle: BundleResult; file: string; env: NodeJS.ProcessEnv; reference: string; loads: number[]; loadError?: string }> = [];
try {
  for (const service of services) {
    const serviceDir = join(workspaceRoot, 'apps', service);
    const manifest = await loadManifest(serviceDir);
    for (const bundle of await bundleService({ serviceDir, outDir: join(outRoot, service) })) {
      const clients = clientsOf(bundle);
      const name = ['floor', 'zod-mini', ...clients.map((client) => client.replace('@aws-sdk/', ''))].join('+');
      if (!references.has(name)) {
        const entry = join(referenceSources, `${name}.ts`);
        writeFileSync(entry, referenceSource(clients));
        const referenceBundle = await bundleFunction(entry, name, join(outRoot, 'references'));
        references.set(name, { name, clients, bundle: referenceBundle, file: taskRootOf(join(outRoot, 'references', name), name), loads: [] });
      }
      const env = lambdaEnvironment(Object.keys(manifest.tables ?? {}), bundle.functionName);
      rows.push({ service, function: bundle.functionName, bundle, file: taskRootOf(join(outRoot, service, bundle.functionName), bundle.functionName), env, reference: name, loads: [] });
    }
  }

  // Warm the OS file cache, then interleave: each round loads every function right after its reference.
  for (const row of rows) {
    try {
      coldLoadMs(row.file, { env: row.env });
    } catch (error) {
      row.loadError = String((error as { stderr?: string }).stderr ?? error).split('\n').find((line) => /Error/.test(line)) ?? String(error);
      problems.push(`${row.service}/${row.function} fails to load: ${row.loadError}`);
    }
  }
  for (const reference of references.values()) coldLoadMs(reference.file, { env: lambdaEnvironment([], reference.name) });
  for (let round = 0; round < RUNS; round += 1) {
    for (const row of rows.filter((r) => !r.loadError)) {
      const reference = references.get(row.reference)!;
      reference.loads.push(coldLoadMs(reference.file, { env: lambdaEnvironment([], reference.name) }));
      row.loads.push(coldLoadMs(row.file, { env: row.env }));
    }
  }
} finally {
  rmSync(outRoot, { recursive: true, force: true });
}

const referenceResults = [...references.values()].map((reference) => ({
  name: reference.name,
  clients: reference.clients,
  bytes: reference.bundle.bytes,
  gzipBytes: reference.bundle.gzipBytes,
  coldLoadMedianMs: reference.loads.length > 0 ? round(median(reference.loads)) : null,
}));
const functions = rows.map((row) => {
  const reference = references.get(row.reference)!;
  const coldLoadMedianMs = row.loads.length > 0 ? round(median(row.loads)) : null;
  // The reference's loads taken in the same rounds as this function's.
  const referenceMedian = reference.loads.length > 0 ? median(reference.loads) : NaN;
  return {
    service: row.service,
    function: row.function,
    bytes: row.bundle.bytes,
    gzipBytes: row.bundle.gzipBytes,
    reference: row.reference,
    referenceBytes: reference.bundle.bytes,
    bytesOverFloor: round(row.bundle.bytes / reference.bundle.bytes, 2),
    coldLoadMedianMs,
    coldLoadMinMs: row.loads.length > 0 ? round(Math.min(...row.loads)) : null,
    coldLoadOverReference: coldLoadMedianMs !== null ? round(coldLoadMedianMs / referenceMedian, 2) : null,
    ...(row.loadError ? { loadError: row.loadError } : {}),
    topInputs: row.bundle.byPackage.slice(0, 6),
  };
});
const budgets = readBudgets();
const overBudget = handlerBudgetViolations(functions, budgets.handlers);
writeBenchJson(resultsFile, 'handlers', validity(problems), {
  runs: RUNS,
  budgets: budgets.handlers,
  goals: budgets.goals.handlers,
  overBudget,
  references: referenceResults,
  functions,
});

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.table(
  functions.map((f) => ({
    function: `${f.service}/${f.function}`,
    bytes: kb(f.bytes),
    'x floor': f.bytesOverFloor,
    'cold ms': f.coldLoadMedianMs,
    'x ref cold': f.coldLoadOverReference,
    reference: f.reference,
  })),
);
console.table(referenceResults.map(({ name, bytes, coldLoadMedianMs }) => ({ name, bytes: kb(bytes), coldLoadMedianMs })));
for (const violation of overBudget) console.log(`OVER BUDGET ${violation}`);
if (problems.length > 0 || overBudget.length > 0) process.exitCode = 1;
