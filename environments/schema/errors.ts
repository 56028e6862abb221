/**
 * How config problems are reported: one `ConfigIssue` per problem, with its config path, collected
 * into one `EnvironmentConfigError` so a person fixing the config sees every problem at once.
 */
import type { z } from './zod';

export interface ConfigIssue {
  /** Config path such as `network.subnets.private[1]` (empty for the root). */
  readonly path: string;
  readonly message: string;
}

export class EnvironmentConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(subject: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`);
    super(
      `Invalid ${subject} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    );
    this.name = 'EnvironmentConfigError';
    this.issues = issues;
  }
}

/** `['network', 'subnets', 'private', 1]` -> `network.subnets.private[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** zod issues -> config issues: one per unknown key, paths formatted, 'is required' for missing fields. */
export function toIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: formatPath([...path, key]), message: 'unknown key' });
      continue;
    }
    let message = issue.message;
    if (issue.code === 'invalid_key') message = `key: ${issue.issues.map((i) => i.message).join('; ')}`;
    if (issue.code === 'invalid_type' && /received undefined/.test(message)) message = 'is required';
    issues.push({ path: formatPath(path), message });
  }
  return issues;
}

export type Ctx = z.RefinementCtx;

/** Adds one problem at `path` (relative to the object being refined). */
export function report(ctx: Ctx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/** `(tables: sessions, jobs)` or `(tables: none)`: reference errors name what could have been meant. */
export function validNames(kind: string, names: readonly string[]): string {
  return `(${kind}: ${names.length > 0 ? names.join(', ') : 'none'})`;
}
