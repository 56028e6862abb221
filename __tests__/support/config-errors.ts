import { EnvironmentConfigError, parseEnvironmentConfig } from '../../environments/schema';

/** The config issues `fn` throws (fails when it throws none). */
export function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof EnvironmentConfigError) return [...e.issues];
    throw e;
  }
  throw new Error('expected an EnvironmentConfigError');
}

/** Expects parsing `input` to fail with an issue at `path` whose message matches `message`. */
export function expectRejected(input: unknown, path: string, message: RegExp): void {
  const issues = issuesOf(() => parseEnvironmentConfig(input));
  const hit = issues.find((i) => i.path === path && message.test(i.message));
  if (!hit)
    throw new Error(
      `no issue at ${path} matching ${message}; got:\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`,
    );
  // The message of the error names the path, so a person reading the synth output sees it.
  expect(() => parseEnvironmentConfig(input)).toThrow(path);
}
