/**
 * Every temporary directory the suite creates (cdktf's `cdktf.outdir.*` from Testing.synth, terraform
 * work dirs) goes under one directory of this run: workers inherit TMPDIR, and the teardown removes it.
 *
 * The app itself is synthesized here, once per run, the way `cdktf synth` runs it (scripts/run.js:
 * the bundle of main.ts): tests about the stacks the app synthesizes read that output
 * (support/app-synth.ts) instead of each building the whole platform again in its own module
 * registry, which cost a test file ~5 s of CPU.
 */
const { spawnSync } = require('node:child_process');
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async function globalSetup() {
  const dir = mkdtempSync(join(tmpdir(), 'platform-tests-'));
  process.env.PLATFORM_TESTS_TMPDIR = dir;
  process.env.TMPDIR = dir;
  const out = join(dir, 'app-synth');
  const run = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'run.js'), 'main.ts'], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, CDKTF_OUTDIR: out },
    encoding: 'utf8',
  });
  // A failed synthesis fails the tests that read it, with this output (support/app-synth.ts).
  writeFileSync(join(dir, 'app-synth.log'), `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ?? ''}`);
  process.env.PLATFORM_APP_SYNTH = run.status === 0 ? out : '';
  process.env.PLATFORM_APP_SYNTH_LOG = join(dir, 'app-synth.log');
};
