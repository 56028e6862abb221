#!/usr/bin/env node
/**
 * `npm run bench`: median wall time and peak memory (max RSS) of
 *   - synthesizing every stack by running the app directly (`node scripts/run.js main.ts`: the
 *     bundle, built once before, run from its code cache),
 *   - synthesizing through the CLI (`cdktf synth`),
 *   - the whole test suite (`npm test`): cold (every offline check runs: OFFLINE_PROOF_CACHE=off),
 *     warm (nothing changed: every check reused), and after editing one environment (dev's budget
 *     limit raised by a dollar, restored afterwards: only platform-dev's check runs again),
 *   - the unit tests alone (`npm run test:unit`: their share of each `npm test`),
 * over several runs, then the terraform checks per stack (seconds each, grouped by the batch, i.e.
 * the `terraform test` process, that ran them) and the cache hits, as the terraform suite reported
 * them in each `npm test` run. Peak memory comes from GNU time (`/usr/bin/time -f %M`), which reports the
 * largest resident set of the process tree's biggest member.
 * Usage: node scripts/bench.js [--runs N] [--test-runs N]
 */
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const runs = opt('--runs', 5);
const testRuns = opt('--test-runs', 1);
const root = join(__dirname, '..');
const hasGnuTime = existsSync('/usr/bin/time');

function measure(command, argv, env = {}) {
  const started = process.hrtime.bigint();
  const full = hasGnuTime
    ? ['/usr/bin/time', ['-f', 'BENCH_MAXRSS_KB=%M', command, ...argv]]
    : [command, argv];
  const r = spawnSync(full[0], full[1], {
    cwd: root,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${command} ${argv.join(' ')} exited ${r.status}`);
  }
  const m = /BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr);
  return { seconds, rssMiB: m ? Number(m[1]) / 1024 : NaN };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function bench(label, n, fn) {
  if (n < 1) return;
  const samples = [];
  for (let i = 0; i < n; i++) samples.push(fn());
  const line = `${label.padEnd(34)} median ${median(samples.map((s) => s.seconds))
    .toFixed(2)
    .padStart(7)} s   peak ${Math.max(...samples.map((s) => s.rssMiB))
    .toFixed(0)
    .padStart(
      5,
    )} MiB   (${n} run${n > 1 ? 's' : ''}: ${samples.map((s) => s.seconds.toFixed(2)).join(', ')})`;
  console.log(line);
}

console.log('building (esbuild bundle; its code cache fills on the first run) ...');
measure('node', ['scripts/run.js', '--build-only', 'main.ts']);
const out = mkdtempSync(join(tmpdir(), 'bench-synth-'));
try {
  measure('node', ['scripts/run.js', 'main.ts'], { CDKTF_OUTDIR: out });
  bench('synth, direct (node scripts/run.js)', runs, () =>
    measure('node', ['scripts/run.js', 'main.ts'], { CDKTF_OUTDIR: out }),
  );
  bench('synth, cdktf synth', runs, () =>
    measure(join(root, 'node_modules', '.bin', 'cdktf'), ['synth', '--output', out]),
  );
  // The terraform suite writes its per-stack timings here (__tests__/terraform.test.ts).
  const timings = join(out, 'terraform-timings.txt');
  const suite = (label, env) => {
    rmSync(timings, { force: true });
    bench(label, testRuns, () =>
      measure('npm', ['test', '--silent'], { OFFLINE_TIMINGS_FILE: timings, ...env }),
    );
    if (existsSync(timings)) console.log(readFileSync(timings, 'utf8').replace(/^/gm, '    ').trimEnd());
    else console.log('    (every offline check reused: no terraform process ran)');
  };
  // An empty cache: the cold run fills it, the warm run reuses all of it, and the edited
  // environment's check cannot hit a result an earlier bench stored for the same edit.
  rmSync(join(root, '.cache', 'offline-proof'), { recursive: true, force: true });
  suite('npm test, cold (no check reused)', { OFFLINE_PROOF_CACHE: 'off' });
  suite('npm test, warm (nothing changed)', {});
  const devFile = join(root, 'environments', 'dev.ts');
  const original = readFileSync(devFile, 'utf8');
  const edited = original.replace(/monthlyLimitUsd: (\d+)/, (_m, n) => `monthlyLimitUsd: ${Number(n) + 1}`);
  if (edited === original) throw new Error('bench: no monthlyLimitUsd in environments/dev.ts to edit');
  try {
    writeFileSync(devFile, edited);
    suite('npm test, after editing dev', {});
  } finally {
    writeFileSync(devFile, original);
  }
  bench('unit tests alone (npm run test:unit)', testRuns, () =>
    measure('npm', ['run', 'test:unit', '--silent']),
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
