// `nx run event-catalog:check-subscriptions`: reads every consumer pattern of every manifest under
// apps/ against the contracts it targets; exits 1 listing each error (service › subscription › field).
import { pathToFileURL } from 'node:url';
import { loadManifests } from '../src/load-manifests';
import { checkedContracts, REPO_ROOT } from '../src/repo';
import { checkSubscriptions, formatSubscriptionError } from '../src/subscription-check';

export async function main(log: (text: string) => void = (text) => console.log(text)): Promise<number> {
  const manifests = await loadManifests(REPO_ROOT);
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
  process.exitCode = await main();
}
