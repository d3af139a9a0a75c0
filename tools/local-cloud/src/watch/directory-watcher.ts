/**
 * One non-recursive `fs.watch` per folder, for a set of folders that changes
 * as the workspace does. Folders, not files: editors save by writing a new
 * file and renaming it over the old one, which a watch on the file itself
 * loses. Not Node's `recursive: true`: it would walk every `node_modules`,
 * `dist` and `cdktf.out` below the watched roots.
 */
import { existsSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { join } from 'node:path';

export class DirectoryWatcher {
  private readonly watchers = new Map<string, FSWatcher>();

  constructor(
    /** Called with the absolute path of what changed (a file or a folder entry). */
    private readonly onChange: (path: string) => void,
    private readonly log: (message: string) => void,
  ) {}

  /** Watches exactly `folders` from now on: new ones are added, missing or dropped ones closed. */
  set(folders: Iterable<string>): void {
    const wanted = new Set([...folders].filter((folder) => existsSync(folder)));
    for (const [folder, watcher] of this.watchers) {
      if (!wanted.has(folder)) {
        watcher.close();
        this.watchers.delete(folder);
      }
    }
    for (const folder of wanted) {
      if (this.watchers.has(folder)) continue;
      try {
        // Not persistent: the edge server keeps the process alive, and tests must be able to exit.
        const watcher = watch(folder, { persistent: false }, (_event, name) => this.onChange(name ? join(folder, name.toString()) : folder));
        watcher.on('error', () => {
          // The folder went away (deleted or renamed): forget it; the next `set` watches it again if it is back.
          watcher.close();
          this.watchers.delete(folder);
          this.onChange(folder);
        });
        this.watchers.set(folder, watcher);
      } catch (error) {
        this.log(`watch: cannot watch ${folder}: ${(error as Error).message}`);
      }
    }
  }

  get size(): number {
    return this.watchers.size;
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}
