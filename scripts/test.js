#!/usr/bin/env node
/**
 * `npm test`: the type check (`tsc --noEmit`) and jest, started together — tsc is single-threaded,
 * so running it first left a core idle for its whole run — then one verdict: either failing fails
 * the run. tsc's output is printed after jest's. Arguments go to jest (`npm test -- stacks`), except
 * `--shard=i/n`: the offline proof then checks only shard i of n of the stacks (OFFLINE_SHARD,
 * scripts/offline/shard.ts); CI runs the shards as a matrix (`npm run test:offline -- --shard=i/n`).
 */
'use strict';
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const bin = (name) => join(__dirname, '..', 'node_modules', '.bin', name);

function run(command, args, stdio) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio });
    let output = '';
    if (child.stdout) child.stdout.on('data', (d) => (output += d));
    if (child.stderr) child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function main() {
  const args = process.argv.slice(2);
  const shard = args.find((a) => a.startsWith('--shard='));
  if (shard) process.env.OFFLINE_SHARD = shard.slice('--shard='.length);
  const [tsc, jest] = await Promise.all([
    run(bin('tsc'), ['--noEmit'], ['ignore', 'pipe', 'pipe']),
    run(
      bin('jest'),
      args.filter((a) => a !== shard),
      'inherit',
    ),
  ]);
  if (tsc.code !== 0) process.stdout.write(`\ntsc --noEmit failed:\n${tsc.output}`);
  else console.log('tsc --noEmit: no type errors');
  process.exitCode = tsc.code !== 0 ? tsc.code : jest.code;
}

main();
