/**
 * Offline proof of synthesized stacks against the real AWS provider, with no AWS account and no
 * network: see workdir.ts (a stack's directory + override files), test-file.ts (the `terraform test`
 * file: real-provider plan, mock apply, invariants), batch.ts (many stacks in one process) and run.ts
 * (running terraform, one batch per core).
 */
export { parseTestOutput, prepareBatch, testFileName, type StackJob } from './batch';
export * from './run';
export type { StackJson } from './stack';
export { offlineTestFile, type TestFileOptions } from './test-file';
export * from './workdir';
export * from './cache';
export * from './shard';
