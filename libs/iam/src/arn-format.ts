/**
 * Could a policy's resource pattern name a resource of a given type? The
 * pattern has IAM wildcards (`*`, `?`); the type's ARN format from iam-data has
 * variables (`arn:${Partition}:sqs:${Region}:${Account}:${QueueName}`). Both are
 * small regular languages, so the question is whether they intersect: a dynamic
 * programme over the two token lists, no sampling.
 *
 * A format variable matches any run of characters without `:` (an ARN part or
 * a name); the format's last variable, when nothing follows it, matches anything
 * (object keys and log group names hold `/` and `:`). The approximation errs
 * towards "may match": a validator must never reject a valid policy.
 */
type PatternToken = { kind: 'char'; char: string } | { kind: 'one' } | { kind: 'star' };
type FormatToken = { kind: 'char'; char: string } | { kind: 'var'; anything: boolean };

function patternTokens(pattern: string): PatternToken[] {
  return [...pattern].map((char) => (char === '*' ? { kind: 'star' } : char === '?' ? { kind: 'one' } : { kind: 'char', char }));
}

function formatTokens(format: string): FormatToken[] {
  const tokens: FormatToken[] = [];
  const parts = format.split(/(\$\{[^}]+\})/).filter((part) => part !== '');
  parts.forEach((part, index) => {
    if (part.startsWith('${')) tokens.push({ kind: 'var', anything: index === parts.length - 1 });
    else for (const char of part) tokens.push({ kind: 'char', char });
  });
  return tokens;
}

export function patternMayMatchFormat(pattern: string, format: string): boolean {
  const p = patternTokens(pattern);
  const f = formatTokens(format);
  const memo = new Map<number, boolean>();
  const width = f.length + 1;

  const intersects = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, false); // guards cycles; every real step consumes a token
    let result = i === p.length && j === f.length;
    const pt = p[i];
    const ft = f[j];
    if (!result && ft?.kind === 'var') result = intersects(i, j + 1); // variable ends (may be empty: errs towards a match)
    if (!result && pt?.kind === 'star') result = intersects(i + 1, j); // star ends
    if (!result && pt && ft) {
      if (pt.kind === 'star') {
        // The star absorbs the next format token (a character, or the whole variable).
        result = intersects(i, j + 1);
      } else if (ft.kind === 'var') {
        const fits = ft.anything || pt.kind === 'one' || pt.char !== ':';
        result = fits && intersects(i + 1, j);
      } else {
        result = (pt.kind === 'one' || pt.char === ft.char) && intersects(i + 1, j + 1);
      }
    }
    memo.set(key, result);
    return result;
  };
  return intersects(0, 0);
}
