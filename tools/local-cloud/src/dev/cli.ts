/**
 * The quick-start commands for a running local cloud (`npm start` in another terminal):
 *
 *   npm run local:user -- --email ada@example.com [--staff] [--password …] [--json]
 *   npm run local:seed
 *
 * See local-user.ts and seed.ts; the repository README's "Call the APIs" walks through them.
 */
import { parseArgs } from 'node:util';
import { createLocalUser, curlLines, exportLines, localCloudEndpoint, readLocalState } from './local-user';
import { seedCatalog } from './seed';

const say = (message: string) => process.stdout.write(`${message}\n`);
const usage = 'usage: npm run local:user -- --email <address> [--staff] [--password <password>] [--exports | --json]   |   npm run local:seed';

async function user(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      staff: { type: 'boolean', default: false },
      password: { type: 'string' },
      // Only the export lines, for eval "$(npm run -s local:user -- --email … --exports)".
      exports: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.email) throw new Error(`--email is required\n${usage}`);
  const endpoint = localCloudEndpoint();
  const quiet = values.json || values.exports;
  const created = await createLocalUser({ endpoint, email: values.email, password: values.password, staff: values.staff, log: quiet ? (message) => process.stderr.write(`${message}\n`) : say });
  const state = await readLocalState(endpoint);
  if (values.exports) {
    for (const line of exportLines(state, created)) say(line);
    return;
  }
  if (values.json) {
    say(JSON.stringify({ ...created, curl: curlLines(state).filter((line) => line.startsWith('curl')) }, null, 2));
    return;
  }
  say('');
  say(`User      ${created.email}  sub ${created.sub}  groups ${created.groups.join(', ') || '(none)'}  password ${created.password}`);
  say(`Pool      ${created.poolId}  app client ${created.clientId}`);
  say('');
  say(`Paste into your shell (tokens last 60 minutes; or: eval "$(npm run -s local:user -- --email ${created.email} --exports)"):`);
  say('');
  for (const line of exportLines(state, created)) say(line);
  say('');
  say('Then call any route (the HTTP APIs authorize the ID token; set $PRODUCT_ID, $STORE_ID… first, and fill the {} bodies: an empty one answers 400 naming each field):');
  say('');
  for (const line of curlLines(state)) say(line);
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'user') return user(args);
  if (command === 'seed') {
    await seedCatalog({ endpoint: localCloudEndpoint(), log: say });
    return;
  }
  throw new Error(usage);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
