/**
 * Every real stack, proven against the real AWS provider 5.100.0 offline by its own `terraform
 * test` file: a real-provider plan (validation included; mock credentials, local backend, no
 * refresh), then an apply against `mock_provider "aws"` with the invariant asserts
 * (scripts/offline/test-file.ts). The files run in one `terraform test` process per core, the
 * stacks balanced by resource count (scripts/offline/batch.ts). The negative checks prove that a broken
 * invariant and a stack the real provider cannot plan both fail, each in a batch with others.
 *
 * Locally, a check whose inputs are unchanged since it last held is reused, not run
 * (scripts/offline/cache.ts): its test is reported as skipped, "reused" with the run it reuses.
 * Under CI, or with OFFLINE_PROOF_CACHE=off, every check runs. OFFLINE_SHARD=i/n checks only shard
 * i of n (scripts/offline/shard.ts; CI runs the shards as a matrix).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../environments';
import {
  cachedCheck,
  cacheEnabled,
  checkStacks,
  harnessKey,
  jobKey,
  jobsOfShard,
  shardFromEnv,
  storeCheck,
  type StackCheck,
  type StackJob,
} from '../scripts/offline';
import {
  masterCredentialMigration,
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

const passes = (result: StackCheck) => {
  if (!result.ok) throw new Error(result.failure);
  expect(result.runs).toEqual(
    result.stack === 'master-credential-migration'
      ? { prior: 'pass', plan: 'pass', teardown: 'pass' }
      : { plan: 'pass', mock_apply: 'pass', teardown: 'pass' },
  );
};

/** The stacks with a database: their databases make the master credential migration check. */
function databaseStacks(stacks: Record<string, string>): string[] {
  return Object.values(stacks).filter((dir) => {
    const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
    return json.resource?.aws_db_instance || json.resource?.aws_rds_cluster;
  });
}

/** What each negative check must show; the real stacks must pass (`passes`). */
const NEGATIVE: Record<string, (result: StackCheck) => void> = {
  'broken-kms': (result) => {
    expect(result.ok).toBe(false);
    expect(result.runs.mock_apply).toBe('fail');
    expect(result.failure).toMatch(/every KMS key rotates/);
    // A CODE_DEPLOY service whose deployment group does not roll back: the controller-aware invariant.
    expect(result.failure).toMatch(/every service rolls back a failed deployment/);
  },
  unplannable: (result) => {
    expect(result.ok).toBe(false);
    expect(result.runs.plan).toBe('error');
    expect(result.failure).toMatch(/all attributes must be indexed\. Unused attributes: \["unused"\]/);
  },
  // A database whose change forces a new one: the migration check's plan refuses it.
  'master-credential-replacement': (result) => {
    expect(result.ok).toBe(false);
    expect(result.runs).toMatchObject({ prior: 'pass', plan: 'error' });
    expect(result.failure).toMatch(/Instance cannot be destroyed/);
  },
  // The same JSON without the real-provider run passes: the real provider is what caught it.
  'unplannable-mock-only': (result) => {
    if (!result.ok) throw new Error(result.failure);
    expect(result.runs).toEqual({ mock_apply: 'pass', teardown: 'pass' });
  },
};
const NEGATIVE_TITLES: Record<string, string> = {
  'broken-kms':
    'fails a broken invariant (a KMS key without rotation; a CODE_DEPLOY service without rollback)',
  unplannable: 'fails a stack the real provider cannot plan',
  'unplannable-mock-only':
    'passes that stack without the real-provider run (the real provider is what caught it)',
  'master-credential-replacement':
    'fails a database change that would replace it (prevent_destroy), planned from a prior state',
  'master-credential-migration':
    'moves every database from its RDS-managed master secret to a write-only password in place (real-provider plan from that state)',
};

describeTf('terraform: real-provider plan + mock apply with invariants, one test file per stack', () => {
  // Listed while collecting (only when terraform is there), so every check gets its own test.
  const { outdir, stacks } = terraform
    ? stacksToCheck(defineEngineVariants)
    : { outdir: '', stacks: {} as Record<string, string> };
  const work = terraform ? mkdtempSync(join(tmpdir(), 'platform-tf-')) : '';
  const negative = join(work, 'negative');
  const allJobs: StackJob[] = terraform
    ? [
        ...Object.entries(stacks).map(([name, dir]) => ({ name, dir })),
        // Mock apply only: the invariants alone must fail it.
        {
          name: 'broken-kms',
          dir: withCodeDeployWithoutRollback(
            withoutKeyRotation(stacks['state-main'], join(negative, 'broken-kms')),
          ),
          options: { realPlan: false },
        },
        // The same stack JSON twice: the real-provider run fails it, the mock run alone passes it.
        { name: 'unplannable', dir: unplannableStack(join(negative, 'unplannable')) },
        { name: 'unplannable-mock-only', dir: join(negative, 'unplannable'), options: { realPlan: false } },
        // The move from RDS-managed master secrets to write-only passwords, planned with the real
        // provider from a state that has the managed secret: every database is updated in place.
        {
          name: 'master-credential-migration',
          dir: masterCredentialMigration(databaseStacks(stacks), join(work, 'migration')),
          options: { priorModule: 'prior' },
        },
        {
          name: 'master-credential-replacement',
          dir: masterCredentialMigration(databaseStacks(stacks), join(negative, 'replacement'), true),
          options: { priorModule: 'prior' },
        },
      ]
    : [];
  const jobs = jobsOfShard(allJobs, shardFromEnv());
  const harness = terraform ? harnessKey(terraform, [join(__dirname, 'support', 'terraform.ts')]) : '';
  const keys = new Map(jobs.map((j) => [j.name, jobKey(j, harness)]));
  const reused = new Map(
    cacheEnabled()
      ? jobs.flatMap((j) => {
          const hit = cachedCheck(j.name, keys.get(j.name)!);
          return hit ? [[j.name, hit.ranAt] as const] : [];
        })
      : [],
  );
  const toRun = jobs.filter((j) => !reused.has(j.name));
  let results: Record<string, StackCheck> = {};
  let ranAt = '';

  beforeAll(async () => {
    if (toRun.length === 0) return;
    const started = Date.now();
    ranAt = new Date(started).toISOString();
    const checks = await checkStacks(terraform!, toRun, join(work, 'checks'));
    results = Object.fromEntries(checks.map((c) => [c.stack, c]));
    const summary = `${timings(checks)}\nall checks: ${((Date.now() - started) / 1000).toFixed(1)} s wall (${toRun.length} run, ${reused.size} reused)`;
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
      // Reference configurations: never deployed, proven like every environment.
      ...Object.keys(registry.references).map((name) => `reference-${name}`),
    ];
    expect(Object.keys(stacks).sort()).toEqual([...app, 'variant-engines'].sort());
    expect(Object.keys(NEGATIVE).every((n) => allJobs.some((j) => j.name === n))).toBe(true);
    // Every stack with a database has its databases in the master credential migration check.
    const migration = JSON.parse(readFileSync(join(work, 'migration', 'cdk.tf.json'), 'utf8'));
    const migrated = Object.values<Record<string, unknown>>(migration.resource).flatMap(Object.keys);
    for (const dir of databaseStacks(stacks))
      expect(migrated.some((name) => name.startsWith(`${dir.split('/').pop()}_`))).toBe(true);
  });

  for (const job of jobs) {
    const expectation = NEGATIVE[job.name] ?? passes;
    const title = NEGATIVE_TITLES[job.name] ?? `${job.name} plans with the real provider and mock-applies`;
    const reusedFrom = reused.get(job.name);
    if (reusedFrom) {
      it.skip(`${title} (reused: held in the run of ${reusedFrom} with the same inputs)`, () => undefined);
      continue;
    }
    it(title, () => {
      expectation(results[job.name]);
      // Only a check that held is reused by a later run with the same inputs.
      storeCheck(results[job.name], keys.get(job.name)!, ranAt);
    });
  }
});
