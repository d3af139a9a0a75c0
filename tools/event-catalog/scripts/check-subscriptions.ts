// `nx run event-catalog:check-subscriptions`: reads every consumer pattern of every manifest under
// apps/ against the contracts it targets; exits 1 listing each error (service › subscription › field),
// 2 when a manifest cannot be read (one line naming the file and field). `--report=<file>` also
// writes the result as Markdown (CI adds it to the pull request's contract comment).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadManifests } from '../src/load-manifests';
import { checkedContracts, REPO_ROOT } from '../src/repo';
import { checkSubscriptions, formatSubscriptionError } from '../src/subscription-check';

export async function main(log: (text: string) => void = (text) => console.log(text), repoRoot: string = REPO_ROOT): Promise<number> {
  try {
    return await check(log, repoRoot);
  } catch (error) {
    // A manifest that does not load, or a pattern the check cannot read: one line, no stack trace.
    log(`Subscription check could not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return 2;
  }
}

async function check(log: (text: string) => void, repoRoot: string): Promise<number> {
  const manifests = await loadManifests(repoRoot);
  const contracts = checkedContracts();
  const errors = checkSubscriptions(
    manifests.map((m) => m.manifest),
    contracts,
  );
  const subscriptions = manifests.reduce((sum, m) => sum + m.manifest.consumes.length, 0);
  if (errors.length === 0) {
    log(`Subscription check: ${subscriptions} subscription(s) in ${manifests.length} manifest(s) can match what they subscribe to (${contracts.length} contract versions).`);
    return 0;
  }
  log([`Subscription check FAILED: ${errors.length} error(s):`, ...errors.map((e) => `  ${formatSubscriptionError(e)}`)].join('\n'));
  return 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const reportFile = process.argv.slice(2).find((arg) => arg.startsWith('--report='))?.slice('--report='.length);
  const lines: string[] = [];
  process.exitCode = await main((text) => {
    lines.push(text);
    console.log(text);
  });
  if (reportFile) {
    mkdirSync(dirname(reportFile), { recursive: true });
    writeFileSync(reportFile, `\n## Subscription check\n\n\`\`\`\n${lines.join('\n')}\n\`\`\`\n`);
  }
}
