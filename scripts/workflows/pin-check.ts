/**
 * The workflows' supply-chain rule: every `uses:` is a local workflow or action (`./...`) or an
 * action pinned by the full commit SHA of a release with the release's tag as the line's comment
 * (`owner/repo[/path]@<40 hex> # <tag>`, as render() writes the pins of common.ts). A tag or branch
 * can be moved to other code after review; a commit cannot. __tests__/house/supply-chain.spec.ts runs this
 * over every file of .github/workflows/ and over the generator's output.
 */
import { parse } from 'yaml';

/** A pinned reference with its tag comment, as one line shows it. */
const PINNED_LINE =
  /^(?:[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}|docker:\/\/\S+@sha256:[0-9a-f]{64})\s+#\s*\S+/;
/** The same reference as YAML parses it (the comment is gone). */
const PINNED_REF = /^(?:[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}|docker:\/\/\S+@sha256:[0-9a-f]{64})$/;

/** Every `uses:` of `text` (a workflow file) that is neither local nor pinned by SHA with its tag: `line N: ...`. */
export function unpinnedActions(text: string): string[] {
  const findings: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (/^\s*#/.test(line) || !/(^|[\s{,-])uses\s*:/.test(line)) return;
    const m = /^\s*(?:-\s+)?uses\s*:\s*(['"]?)([^'"\s#]+)\1(.*)$/.exec(line);
    const ref = m?.[2] ?? '';
    if (ref.startsWith('./')) return;
    if (!m || !PINNED_LINE.test(`${ref}${m[3]}`))
      findings.push(`line ${i + 1}: ${line.trim()} (pin by full commit SHA: owner/repo@<sha> # <tag>)`);
  });
  // What YAML reads, whatever the layout (a flow mapping `{ uses: ... }` has no line of its own).
  const doc = parse(text) as { jobs?: Record<string, { uses?: unknown; steps?: Array<{ uses?: unknown }> }> };
  for (const [id, job] of Object.entries(doc?.jobs ?? {})) {
    for (const uses of [job?.uses, ...(job?.steps ?? []).map((s) => s?.uses)]) {
      if (uses === undefined || String(uses).startsWith('./') || PINNED_REF.test(String(uses))) continue;
      const finding = `job ${id}: uses ${String(uses)} (pin by full commit SHA: owner/repo@<sha> # <tag>)`;
      if (!findings.some((f) => f.includes(String(uses)))) findings.push(finding);
    }
  }
  return findings;
}
