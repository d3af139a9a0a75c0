// Runs inside a fresh Node process, as Lambda would: imports one bundle and
// invokes its handler with the events given (a JSON file), timing the import
// (cold module load), the first invocation (clients created, first
// connections) and every later one (warm). Prints one JSON line.
// Usage: node measure-bundle.mjs <bundle index.mjs> <events.json> [--keep-responses]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventsFile, flag] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));

const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const importMs = performance.now() - started;

const durations = [];
const responses = [];
const errors = [];
for (let i = 0; i < events.length; i += 1) {
  const t0 = performance.now();
  try {
    const result = await handler(events[i], { awsRequestId: `bench-${i}` });
    if (flag === '--keep-responses') responses.push(result.response);
  } catch (error) {
    errors.push(String(error?.message ?? error));
  }
  durations.push(performance.now() - t0);
}
process.stdout.write(`${JSON.stringify({ importMs, durations, responses, errors: errors.slice(0, 3), errorCount: errors.length })}\n`);
