/**
 * The process tree, read from /proc (Linux): which processes a command left
 * running (tests of a clean stop) and how much memory they hold (benchmarks).
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Process group: Ctrl-C in a terminal reaches the whole foreground group. */
  pgrp: number;
  command: string;
  rssKb: number;
}

/** Every process on the machine, from /proc. */
export function processes(): ProcessInfo[] {
  const result: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      // /proc/<pid>/stat: "pid (comm) state ppid pgrp …"; comm may contain spaces, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      result.push({ pid: Number(entry), ppid, pgrp, command, rssKb });
    } catch {
      // the process exited while we looked
    }
  }
  return result;
}

/** `rootPid` and all its descendants among `all`, breadth first. */
export function descendants(rootPid: number, all: readonly ProcessInfo[]): ProcessInfo[] {
  const tree: ProcessInfo[] = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift() as number;
    const found = all.find((candidate) => candidate.pid === pid);
    if (found) tree.push(found);
    for (const child of all.filter((candidate) => candidate.ppid === pid)) queue.push(child.pid);
  }
  return tree;
}
