/** GitHub rejects comment bodies over 65,536 characters. */
export const MAX_COMMENT_CHARS = 65_536;

export interface PlanResult {
  env: string;
  /** `terraform plan -no-color` output, or the error that stopped it. */
  text: string;
  /** `-detailed-exitcode`: 0 no changes, 2 changes, anything else failed. */
  exitCode: number;
}

function summary({ text, exitCode }: PlanResult): string {
  if (exitCode === 0) return 'no changes';
  if (exitCode !== 2) return 'plan failed';
  return /Plan: .+\./.exec(text)?.[0] ?? 'changes';
}

/**
 * The body of a project's sticky plan comment: one collapsible section per
 * environment with the plan's summary line in the heading; long plans keep
 * their end (where the summary and errors are) within GitHub's size limit.
 *
 * @example
 * ```ts
 * renderPlanComment('customers', [{ env: 'staging', text: 'Plan: 1 to add, 0 to change, 0 to destroy.', exitCode: 2 }]);
 * ```
 */
export function renderPlanComment(project: string, plans: PlanResult[], runUrl?: string): string {
  const header = `### Terraform plan: \`${project}\`\n${runUrl ? `\n[workflow run](${runUrl})\n` : ''}`;
  const budget = Math.floor((MAX_COMMENT_CHARS - header.length - 400 * plans.length) / Math.max(plans.length, 1));
  const sections = plans.map((plan) => {
    const text = plan.text.length > budget ? `… (${plan.text.length - budget} characters cut; full plan in the run log)\n${plan.text.slice(-budget)}` : plan.text;
    const fence = text.includes('```') ? '~~~~' : '```';
    return `<details${plan.exitCode === 0 ? '' : ' open'}><summary><b>${plan.env}</b>: ${summary(plan)}</summary>\n\n${fence}terraform\n${text.trimEnd()}\n${fence}\n</details>`;
  });
  return `${header}\n${sections.join('\n\n')}\n`;
}
