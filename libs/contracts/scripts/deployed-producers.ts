// `tsx libs/contracts/scripts/deployed-producers.ts --service customers --deployed identity=<sha> ...`
// Refuses (exit 1) to deploy a consumer while a contract version it consumes is emitted by no
// deployed producer; `.github/workflows/_deploy.yml` runs it before the first apply, passing the
// commit of each other service's last successful deploy (empty when it never deployed). Exit 2:
// bad arguments, or a lock that cannot be read.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { unbackedConsumption, type DeployedService } from '../compat/deployed-producers';
import { MANIFEST_LOCK_FILE, parseManifestLock } from '../compat/manifest-lock';

const LOCK_IN_REPO = `libs/contracts/${MANIFEST_LOCK_FILE}`;

function lockAt(repoRoot: string, commit: string) {
  let text: string;
  try {
    text = execFileSync('git', ['show', `${commit}:${LOCK_IN_REPO}`], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    // The commit may predate the lock; an unknown commit is a setup error.
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${commit}^{commit}`], { cwd: repoRoot, stdio: 'ignore' });
    return undefined;
  }
  return parseManifestLock(text, `${commit}:${LOCK_IN_REPO}`);
}

/** Runs the check; returns the exit code (0 deploy, 1 refuse, 2 could not run). */
export function runDeployedProducersCheck(argv: readonly string[], repoRoot: string, log: (text: string) => void = (t) => console.log(t)): number {
  try {
    let service: string | undefined;
    const deployed: DeployedService[] = [];
    for (let index = 0; index < argv.length; index += 1) {
      const arg = argv[index]!;
      const value = arg.startsWith('--service=') ? arg.slice('--service='.length) : undefined;
      if (value !== undefined) service = value;
      else if (arg === '--service') service = argv[++index];
      else if (arg === '--deployed' || arg.startsWith('--deployed=')) {
        const pair = arg === '--deployed' ? argv[++index] : arg.slice('--deployed='.length);
        const match = /^([a-z][a-z0-9-]*)=([0-9a-f]{7,40})?$/.exec(pair ?? '');
        if (!match) throw new Error(`--deployed takes <service>=<commit sha> (empty sha: never deployed), got "${pair}"`);
        deployed.push({ service: match[1]!, ...(match[2] ? { commit: match[2] } : {}) });
      } else throw new Error(`unknown argument "${arg}"`);
    }
    if (!service) throw new Error('--service <name> is required');
    const head = parseManifestLock(readFileSync(`${repoRoot}/${LOCK_IN_REPO}`, 'utf8'), LOCK_IN_REPO);
    const withLocks = deployed.map((d) => {
      const lock = d.commit ? lockAt(repoRoot, d.commit) : undefined;
      return { ...d, ...(lock ? { lock } : {}) };
    });
    const { problems, notes } = unbackedConsumption(service, head, withLocks);
    for (const note of notes) log(`Note: ${note}`);
    if (problems.length > 0) {
      log([`Refusing to deploy ${service}: ${problems.length} consumed contract version(s) have no deployed producer:`, ...problems.map((p) => `  - ${p}`)].join('\n'));
      return 1;
    }
    log(`${service}: every contract version it consumes is emitted by a deployed producer.`);
    return 0;
  } catch (error) {
    log(`Deployed-producers check could not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return 2;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const repoRoot = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8' }).trim();
  process.exitCode = runDeployedProducersCheck(process.argv.slice(2), repoRoot);
}
