import { vi } from 'vitest';

/**
 * Captures the JSON log lines written to stdout and stderr (Powertools Logger writes one JSON
 * object per line) into `into`, silencing them; restore with `vi.restoreAllMocks()`.
 */
export function captureLogLines(into: Record<string, unknown>[]): void {
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter((l) => l.trim().startsWith('{'))) into.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
}
