/**
 * Every temporary directory the suite creates (cdktf's `cdktf.outdir.*` from Testing.synth, terraform
 * work dirs) goes under one directory of this run: workers inherit TMPDIR, and the teardown removes it.
 */
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async function globalSetup() {
  const dir = mkdtempSync(join(tmpdir(), 'platform-tests-'));
  process.env.PLATFORM_TESTS_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
