/**
 * Many stacks in ONE `terraform test` process. Every process pays the same fixed cost before its
 * first run (checking the ~700 MB provider against the lock file, loading its schema: ~3 s of CPU):
 * one process per core instead of one per stack pays it twice per suite, not once per stack.
 *
 * A batch dir holds a root module that only requires the AWS provider, with the committed lock file
 * (workdir.ts placeLockFile), each stack in a directory of its own (workdir.ts prepareStackDir) and,
 * beside it, `<stack>.tftest.hcl` whose runs name that directory as their module (test-file.ts).
 * Terraform runs the files one after another, each with its own state, and a failing file does not
 * stop the others; `-json` tells each file's runs apart.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { offlineTestFile, type TestFileOptions } from './test-file';
import { AWS_PROVIDER_VERSION, placeLockFile, prepareStackDir, writeJson } from './workdir';

/** One stack to check: its name, its synthesized directory, and test-file options. */
export interface StackJob {
  readonly name: string;
  readonly dir: string;
  readonly options?: TestFileOptions;
}

export const testFileName = (stack: string): string => `${stack}.tftest.hcl`;

/** Lays out `jobs` in `batchDir` for one `terraform init` + `terraform test`. */
export function prepareBatch(jobs: readonly StackJob[], batchDir: string): void {
  for (const job of jobs) {
    const stack = prepareStackDir(job.dir, join(batchDir, job.name));
    writeFileSync(
      join(batchDir, testFileName(job.name)),
      offlineTestFile(stack, { ...job.options, module: `./${job.name}` }),
    );
  }
  writeJson(join(batchDir, 'main.tf.json'), {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } } },
  });
  placeLockFile(batchDir);
}

/** What `terraform test -json` reported of one test file. */
export interface FileReport {
  /** Each run that ended, and how: `pass`, `fail`, `error`, `skip`. */
  readonly runs: Record<string, string>;
  /** The file's verdict, once terraform reached its end. */
  status?: string;
  /** `run "plan"... pass` lines and the file's error diagnostics, in order. */
  readonly lines: string[];
  started?: number;
  ended?: number;
}

interface TestMessage {
  type?: string;
  '@timestamp'?: string;
  '@testfile'?: string;
  test_file?: { path: string; progress: string; status?: string };
  test_run?: { path: string; run: string; progress: string; status?: string };
  diagnostic?: { severity: string; summary: string; detail?: string };
}

/** Splits `terraform test -json` output by test file; what belongs to none (e.g. a load error) is `general`. */
export function parseTestOutput(output: string): { files: Map<string, FileReport>; general: string[] } {
  const files = new Map<string, FileReport>();
  const general: string[] = [];
  const file = (path: string) => {
    let report = files.get(path);
    if (!report) files.set(path, (report = { runs: {}, lines: [] }));
    return report;
  };
  for (const line of output.split('\n')) {
    let message: TestMessage;
    try {
      message = JSON.parse(line) as TestMessage;
    } catch {
      if (line.trim()) general.push(line);
      continue;
    }
    const at = Date.parse(message['@timestamp'] ?? '');
    if (message.test_file) {
      const report = file(message.test_file.path);
      if (message.test_file.progress === 'starting') report.started = at;
      if (message.test_file.progress === 'complete') {
        report.status = message.test_file.status;
        report.ended = at;
      }
    } else if (message.test_run?.progress === 'complete') {
      const { path, run, status = 'unknown' } = message.test_run;
      file(path).runs[run] = status;
      file(path).lines.push(`run "${run}"... ${status}`);
    } else if (message.type === 'diagnostic' && message.diagnostic?.severity === 'error') {
      const { summary, detail } = message.diagnostic;
      const text = `Error: ${summary}${detail ? `\n${detail}` : ''}`;
      (message['@testfile'] ? file(message['@testfile']).lines : general).push(text);
    }
  }
  return { files, general };
}
