/**
 * Every real stack, proven against the real AWS provider 5.100.0 offline: init (provider mirror),
 * plan (validation included; mock credentials, local backend, no refresh) and apply against
 * `mock_provider "aws"` with the invariant asserts. Two stacks at a time (two cores).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../environments';
import {
  checkStack,
  mapLimit,
  prepareWorkDir,
  warmProviderCache,
  type StackCheck,
} from '../scripts/offline-terraform';
import { synthesizeToDisk, terraformOrSkip } from './support/terraform';
import { defineEngineVariants } from './support/variants';

const terraform = terraformOrSkip();
const describeTf = terraform ? describe : describe.skip;

describeTf('terraform: validate + offline plan + mock apply', () => {
  const work = mkdtempSync(join(tmpdir(), 'platform-tf-'));
  const { outdir, stacks } = terraform
    ? synthesizeToDisk(registry, defineEngineVariants)
    : { outdir: '', stacks: {} as Record<string, string> };
  const names = Object.keys(stacks);
  let results: Record<string, StackCheck> = {};

  beforeAll(async () => {
    // Largest first, so the two slots finish together; the data-only variant stacks skip the
    // separate real-provider plan (their mock apply plans them too) to keep the suite fast.
    await warmProviderCache(terraform!);
    const bySize = [...names].sort(
      (a, b) => statSync(join(stacks[b], 'cdk.tf.json')).size - statSync(join(stacks[a], 'cdk.tf.json')).size,
    );
    const checks = await mapLimit(bySize, 2, (n) =>
      checkStack(terraform!, n, stacks[n], join(work, n), { plan: !n.startsWith('variant-') }),
    );
    results = Object.fromEntries(checks.map((c) => [c.stack, c]));
  }, 600_000);

  afterAll(() => {
    for (const dir of [work, outdir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('covers the state stack and every environment', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'state-main',
        'baseline-main',
        'platform-dev',
        'platform-staging',
        'platform-prod',
        'variant-mysql',
        'variant-aurora',
      ]),
    );
  });

  it.each(names)('%s plans and mock-applies', (name) => {
    const result = results[name];
    if (!result.ok) throw new Error(result.failure);
    expect(result.steps.map((s) => s.command.split(' ')[1])).toEqual(
      name.startsWith('variant-') ? ['init', 'test'] : ['init', 'plan', 'test'],
    );
    // The mock apply ran its run block and its asserts.
    expect(result.steps[result.steps.length - 1].output).toMatch(/run "mock_apply"\.\.\. pass/);
    expect(result.steps[result.steps.length - 1].output).toMatch(/1 passed, 0 failed/);
  });

  it('the mock apply fails when an invariant is broken (a KMS key without rotation)', async () => {
    const dir = join(work, 'broken-state');
    const stackJson = JSON.parse(readFileSync(join(stacks['state-main'], 'cdk.tf.json'), 'utf8'));
    for (const key of Object.values<any>(stackJson.resource.aws_kms_key)) key.enable_key_rotation = false;
    const brokenStackDir = join(work, 'broken-source');
    mkdirSync(brokenStackDir, { recursive: true });
    writeFileSync(join(brokenStackDir, 'cdk.tf.json'), JSON.stringify(stackJson));
    prepareWorkDir(brokenStackDir, dir);
    const result = await checkStack(terraform!, 'broken-state', brokenStackDir, dir, { plan: false });
    expect(result.ok).toBe(false);
    expect(result.failure).toMatch(/every KMS key rotates/);
  }, 120_000);
});
