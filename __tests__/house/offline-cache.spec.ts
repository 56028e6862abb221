/** The incremental offline proof's cache keys and the shards (scripts/offline/cache.ts, shard.ts). */
import { mkdtempSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../../environments';
import {
  cachedCheck,
  cacheEnabled,
  jobKey,
  KEPT_PER_STACK,
  parseShard,
  shards,
  storeCheck,
  type StackCheck,
  type StackJob,
} from '../../scripts/offline';
import { baselineStackId, platformStackId, stateStackId } from '../../stacks/stack-ids';
import { appStackDir } from '../support/app-synth';

const check = (stack: string): StackCheck => ({
  stack,
  ok: true,
  batch: 1,
  runs: {},
  output: '',
  seconds: 1,
});

function stackDir(json: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'cache-key-'));
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
  return dir;
}

describe('the cache key of a check', () => {
  const dir = stackDir({ resource: { aws_sns_topic: { T: { name: 'a' } } } });
  const job: StackJob = { name: 's', dir };
  const key = jobKey(job, 'harness-1');

  it('is the same for the same inputs', () => expect(jobKey({ ...job }, 'harness-1')).toBe(key));

  it('changes with the stack JSON, an asset, the options and the harness', () => {
    expect(jobKey(job, 'harness-2')).not.toBe(key);
    expect(jobKey({ ...job, options: { realPlan: false } }, 'harness-1')).not.toBe(key);
    expect(
      jobKey(
        { name: 's', dir: stackDir({ resource: { aws_sns_topic: { T: { name: 'b' } } } }) },
        'harness-1',
      ),
    ).not.toBe(key);
    const withAsset = stackDir({ resource: { aws_sns_topic: { T: { name: 'a' } } } });
    const plain = jobKey({ name: 's', dir: withAsset }, 'harness-1');
    mkdirSync(join(withAsset, 'assets'));
    writeFileSync(join(withAsset, 'assets', 'fn.zip'), 'zip');
    expect(jobKey({ name: 's', dir: withAsset }, 'harness-1')).not.toBe(plain);
  });

  it('finds a stored check only under the same key', () => {
    const cache = mkdtempSync(join(tmpdir(), 'cache-'));
    expect(cachedCheck('s', key, cache)).toBeUndefined();
    storeCheck(check('s'), key, '2026-12-07T00:00:00.000Z', cache);
    expect(cachedCheck('s', key, cache)).toMatchObject({
      ranAt: '2026-12-07T00:00:00.000Z',
      check: { ok: true },
    });
    expect(cachedCheck('s', jobKey(job, 'harness-2'), cache)).toBeUndefined();
  });

  it('keeps the newest few checks per stack, so an undone edit still hits', () => {
    const cache = mkdtempSync(join(tmpdir(), 'cache-'));
    const keys = Array.from({ length: KEPT_PER_STACK + 1 }, (_, i) => jobKey(job, `harness-${i}`));
    keys.forEach((k, i) => {
      storeCheck(check('s'), k, `2026-12-0${i + 1}T00:00:00.000Z`, cache);
      // mtime order is what ages them out
      utimesSync(
        join(
          cache,
          readdirSync(cache).find((f) => f.includes(k.slice(0, 16)))!,
        ),
        i + 1,
        i + 1,
      );
    });
    storeCheck(check('other'), key, '2026-12-07T00:00:00.000Z', cache);
    expect(cachedCheck('s', keys[0], cache)).toBeUndefined();
    for (const k of keys.slice(1)) expect(cachedCheck('s', k, cache)).toBeDefined();
    expect(cachedCheck('other', key, cache)).toBeDefined();
  });

  it('is not used under CI or with OFFLINE_PROOF_CACHE=off', () => {
    expect(cacheEnabled({})).toBe(true);
    expect(cacheEnabled({ CI: 'true' })).toBe(false);
    expect(cacheEnabled({ OFFLINE_PROOF_CACHE: 'off' })).toBe(false);
  });
});

describe('shards of the offline proof', () => {
  const ids = [
    ...Object.keys(registry.accounts).flatMap((a) => [stateStackId(a), baselineStackId(a)]),
    ...Object.keys(registry.environments).map(platformStackId),
  ];
  const jobs = ids.map((name) => ({ name, dir: appStackDir(name) }));

  it.each([1, 2, 3, 4])('every synthesized stack belongs to exactly one of %i shards', (count) => {
    const names = shards(jobs, count).flatMap((s) => s.map((j) => j.name));
    expect(names.sort()).toEqual([...ids].sort());
    expect(shards(jobs, count)).toHaveLength(count);
  });

  it('are the same split in every runner (deterministic)', () => {
    expect(shards(jobs, 3).map((s) => s.map((j) => j.name))).toEqual(
      shards([...jobs], 3).map((s) => s.map((j) => j.name)),
    );
  });

  it('reads i/n and rejects anything else with the format', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0'])
      expect(() => parseShard(bad)).toThrow(/expected i\/n with 1 <= i <= n/);
  });
});
