/**
 * The offline proof's batching without terraform: the test file a batched stack gets, how stacks
 * are split over the processes, and how one process's `-json` output is told apart per stack.
 * (__tests__/terraform.test.ts runs it all against terraform.)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  balance,
  offlineTestFile,
  parseTestOutput,
  type StackJob,
  type StackJson,
} from '../../scripts/offline';

const stack: StackJson = {
  provider: { aws: [{}, { alias: 'dr' }] },
  resource: { aws_kms_key: { Key: {} } },
  variable: { idp_secret: { sensitive: true }, with_default: { default: 'x' } },
};

describe('the test file of a stack in a batch', () => {
  const file = offlineTestFile(stack, { module: './platform-dev' });
  const run = (name: string) => new RegExp(`run "${name}" \\{[\\s\\S]*?\\n\\}`).exec(file)![0];

  it('names the stack directory as the module of the plan and the mock apply, its teardown beside it', () => {
    expect(run('plan')).toContain('source = "./platform-dev"');
    expect(run('mock_apply')).toContain('source = "./platform-dev"');
    expect(run('teardown')).toContain('source = "./platform-dev/teardown"');
  });

  it('maps every alias to the one mock provider in the mock runs, and leaves the plan on the real one', () => {
    expect(file.match(/^mock_provider "aws" \{/gm)).toHaveLength(1);
    for (const name of ['mock_apply', 'teardown']) {
      expect(run(name)).toContain('aws = aws.mock\n');
      expect(run(name)).toContain('aws.dr = aws.mock\n');
    }
    expect(run('plan')).not.toContain('providers');
  });

  it('gives the runs dummy values for variables without a default (a module reads no tfvars file)', () => {
    for (const name of ['plan', 'mock_apply'])
      expect(run(name)).toContain('variables {\n    idp_secret = "offline-dummy-idp_secret"\n  }');
    expect(file).not.toContain('with_default =');
  });

  it('drops the real-provider run when asked', () => {
    expect(offlineTestFile(stack, { realPlan: false })).not.toContain('run "plan"');
  });
});

describe('balance', () => {
  let dir = '';
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'offline-balance-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A stack of `resources` resources (a fixed cost of 10 is added to each: run.ts checkWeight). */
  const job = (name: string, resources: number): StackJob => {
    mkdirSync(join(dir, name), { recursive: true });
    const byName = Object.fromEntries(Array.from({ length: resources }, (_, i) => [`R${i}`, {}]));
    writeFileSync(join(dir, name, 'cdk.tf.json'), JSON.stringify({ resource: { aws_sns_topic: byName } }));
    return { name, dir: join(dir, name) };
  };

  it('puts the heaviest stacks on different processes and evens out the rest, by resource count', () => {
    const jobs = [job('small-a', 0), job('big-a', 90), job('small-b', 0), job('big-b', 80), job('mid', 10)];
    const names = balance(jobs, 2).map((b) => b.map((j) => j.name));
    // Heaviest first onto the least loaded: 100+10+10 and 90+20.
    expect(names).toEqual([
      ['big-a', 'small-a', 'small-b'],
      ['big-b', 'mid'],
    ]);
  });

  it('makes no empty batch when there are fewer stacks than processes', () => {
    expect(balance([job('only', 1)], 2)).toHaveLength(1);
  });
});

describe('parseTestOutput', () => {
  const line = (message: object) => JSON.stringify({ '@timestamp': '2026-11-24T00:00:00.000Z', ...message });
  const at = (seconds: number) => `2026-11-24T00:00:${String(seconds).padStart(2, '0')}.000Z`;
  const output = [
    'There are some problems with the CLI configuration:',
    line({ type: 'version', terraform: '1.11.4' }),
    line({
      type: 'test_file',
      '@timestamp': at(1),
      test_file: { path: 'a.tftest.hcl', progress: 'starting' },
    }),
    line({
      type: 'test_run',
      test_run: { path: 'a.tftest.hcl', run: 'plan', progress: 'complete', status: 'pass' },
    }),
    line({ type: 'test_run', test_run: { path: 'a.tftest.hcl', run: 'mock_apply', progress: 'running' } }),
    line({
      type: 'diagnostic',
      '@testfile': 'a.tftest.hcl',
      '@testrun': 'mock_apply',
      diagnostic: { severity: 'error', summary: 'Test assertion failed', detail: 'every KMS key rotates' },
    }),
    line({
      type: 'diagnostic',
      '@testfile': 'a.tftest.hcl',
      diagnostic: { severity: 'warning', summary: 'Some objects will no longer be managed' },
    }),
    line({
      type: 'test_run',
      test_run: { path: 'a.tftest.hcl', run: 'mock_apply', progress: 'complete', status: 'fail' },
    }),
    line({
      type: 'test_file',
      '@timestamp': at(9),
      test_file: { path: 'a.tftest.hcl', progress: 'complete', status: 'fail' },
    }),
    line({ type: 'test_file', test_file: { path: 'b.tftest.hcl', progress: 'starting' } }),
    line({ type: 'diagnostic', diagnostic: { severity: 'error', summary: 'Failed to load plugin schemas' } }),
  ].join('\n');
  const { files, general } = parseTestOutput(output);

  it('gives each file its runs, its verdict, its errors and its time', () => {
    const a = files.get('a.tftest.hcl')!;
    expect(a.runs).toEqual({ plan: 'pass', mock_apply: 'fail' });
    expect(a.status).toBe('fail');
    expect(a.lines).toEqual([
      'run "plan"... pass',
      'Error: Test assertion failed\nevery KMS key rotates',
      'run "mock_apply"... fail',
    ]);
    expect((a.ended! - a.started!) / 1000).toBe(8);
  });

  it('leaves a file terraform never finished without a verdict, and keeps what belongs to no file', () => {
    expect(files.get('b.tftest.hcl')!.status).toBeUndefined();
    expect(general).toEqual([
      'There are some problems with the CLI configuration:',
      'Error: Failed to load plugin schemas',
    ]);
  });
});
