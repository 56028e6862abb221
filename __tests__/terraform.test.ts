/**
 * Every real stack, proven against the real AWS provider 5.100.0 offline by its own `terraform
 * test` file: a real-provider plan (validation included; mock credentials, local backend, no
 * refresh), then an apply against `mock_provider "aws"` with the invariant asserts
 * (scripts/offline/test-file.ts). The files run in one `terraform test` process per core, the
 * stacks balanced by resource count (scripts/offline/batch.ts). The negative checks prove that a broken
 * invariant and a stack the real provider cannot plan both fail, each in a batch with others.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../environments';
import { checkStacks, type StackCheck, type StackJob } from '../scripts/offline';
import {
  stacksToCheck,
  terraformOrSkip,
  unplannableStack,
  withCodeDeployWithoutRollback,
  withoutKeyRotation,
} from './support/terraform';
import { defineEngineVariants } from './support/variants';

const terraform = terraformOrSkip();
const describeTf = terraform ? describe : describe.skip;

/** Per batch (one terraform process), a line per stack: the seconds its test file took. */
function timings(checks: readonly StackCheck[]): string {
  const batches = [...new Set(checks.map((c) => c.batch))].sort();
  return batches
    .flatMap((batch) => {
      const inBatch = checks.filter((c) => c.batch === batch);
      const total = inBatch.reduce((sum, c) => sum + c.seconds, 0);
      return [
        `batch ${batch}: ${total.toFixed(1)} s`,
        ...inBatch.map((c) => `  ${c.stack.padEnd(22)} ${c.seconds.toFixed(1).padStart(5)} s`),
      ];
    })
    .join('\n');
}

describeTf('terraform: real-provider plan + mock apply with invariants, one test file per stack', () => {
  // Listed while collecting (only when terraform is there), so every stack gets its own test.
  const { outdir, stacks } = terraform
    ? stacksToCheck(defineEngineVariants)
    : { outdir: '', stacks: {} as Record<string, string> };
  let work = '';
  let results: Record<string, StackCheck> = {};

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'platform-tf-'));
    const negative = join(work, 'negative');
    const jobs: StackJob[] = [
      ...Object.entries(stacks).map(([name, dir]) => ({ name, dir })),
      // Mock apply only: the invariant alone must fail it.
      {
        name: 'broken-kms',
        // Also a CODE_DEPLOY service whose deployment group does not roll back: a second invariant.
        dir: withCodeDeployWithoutRollback(
          withoutKeyRotation(stacks['state-main'], join(negative, 'broken-kms')),
        ),
        options: { realPlan: false },
      },
      // The same stack JSON twice: the real-provider run fails it, the mock run alone passes it.
      { name: 'unplannable', dir: unplannableStack(join(negative, 'unplannable')) },
      { name: 'unplannable-mock-only', dir: join(negative, 'unplannable'), options: { realPlan: false } },
    ];
    const started = Date.now();
    const checks = await checkStacks(terraform!, jobs, join(work, 'checks'));
    results = Object.fromEntries(checks.map((c) => [c.stack, c]));
    const summary = `${timings(checks)}\nall checks: ${((Date.now() - started) / 1000).toFixed(1)} s wall`;
    console.log(`terraform checks per stack (seconds):\n${summary}`);
    if (process.env.OFFLINE_TIMINGS_FILE) writeFileSync(process.env.OFFLINE_TIMINGS_FILE, `${summary}\n`);
  }, 600_000);

  afterAll(() => {
    for (const dir of [work, outdir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('covers every stack of the app and the engine variants', () => {
    const app = [
      ...Object.keys(registry.accounts).flatMap((slug) => [`state-${slug}`, `baseline-${slug}`]),
      ...Object.keys(registry.environments).map((name) => `platform-${name}`),
    ];
    expect(Object.keys(stacks).sort()).toEqual([...app, 'variant-engines'].sort());
  });

  it.each(Object.keys(stacks))('%s plans with the real provider and mock-applies', (name) => {
    const result = results[name];
    if (!result.ok) throw new Error(result.failure);
    expect(result.runs).toEqual({ plan: 'pass', mock_apply: 'pass', teardown: 'pass' });
  });

  it('fails when an invariant is broken (a KMS key without rotation)', () => {
    const result = results['broken-kms'];
    expect(result.ok).toBe(false);
    expect(result.runs.mock_apply).toBe('fail');
    expect(result.failure).toMatch(/every KMS key rotates/);
  });

  it('fails a CODE_DEPLOY service whose deployment group does not roll back (controller-aware invariant)', () => {
    const result = results['broken-kms'];
    expect(result.ok).toBe(false);
    expect(result.runs.mock_apply).toBe('fail');
    expect(result.failure).toMatch(/every service rolls back a failed deployment/);
  });

  it('fails when the real provider cannot plan a stack, which the mock run alone lets through', () => {
    const result = results.unplannable;
    expect(result.ok).toBe(false);
    expect(result.runs.plan).toBe('error');
    expect(result.failure).toMatch(/all attributes must be indexed\. Unused attributes: \["unused"\]/);
    // The same JSON without the real-provider run passes: the real provider is what caught it.
    const mockOnly = results['unplannable-mock-only'];
    if (!mockOnly.ok) throw new Error(mockOnly.failure);
    expect(mockOnly.runs).toEqual({ mock_apply: 'pass', teardown: 'pass' });
  });
});
