/**
 * The app synthesizes into a staging directory beside the output directory and publishes it only
 * when synthesis succeeded: a config error or a guardrail finding leaves the previous stacks and
 * manifest exactly as they were, and a published output holds exactly the stacks the config
 * defines (a removed environment's stack directory goes too). Terraform's own files in a stack
 * directory (`.terraform/`, the lock file, a local state such as the state stack's before its
 * migration, saved plans) are kept; a stack directory that is gone from the config but holds a
 * local state is kept and reported, never deleted. The cdktf CLI removes stack directories that are
 * gone from the manifest itself, after the app, whatever they hold: under it the app leaves them to
 * the CLI and refuses to publish while one of them holds a local state.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { App } from 'cdktf';
import { EnvironmentConfigError } from '../environments/schema/errors';

const STACKS = 'stacks';
/** Files Terraform writes into a stack directory, which a new synthesis must not remove. */
const TERRAFORM_FILE = /^(\.terraform|\.terraform\.lock\.hcl|terraform\.tfstate(\.backup)?|.*\.tfplan|plan)$/;
const holdsState = (dir: string) =>
  existsSync(dir) && readdirSync(dir).some((f) => /^terraform\.tfstate(\.backup)?$/.test(f));

/** A fresh staging directory on the output directory's file system (renames stay atomic). */
export function stagingDir(outdir: string): string {
  const parent = dirname(resolve(outdir));
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `.${basename(outdir)}-staging-`));
}

export interface Published {
  /** Stack directories removed because no stack of that id was synthesized. */
  readonly removed: readonly string[];
  /** Stack directories gone from the config but kept because they hold a local Terraform state. */
  readonly keptWithState: readonly string[];
}

function replaceEntries(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(to))
    if (!TERRAFORM_FILE.test(entry)) rmSync(join(to, entry), { recursive: true, force: true });
  for (const entry of readdirSync(from)) renameSync(join(from, entry), join(to, entry));
}

export interface PublishOptions {
  /** The cdktf CLI runs the app and removes the stack directories gone from the manifest. Default: false. */
  readonly underCdktfCli?: boolean;
}

/** Moves a successful synthesis from `staging` into `outdir` and removes `staging`. */
export function publishSynthesis(staging: string, outdir: string, options: PublishOptions = {}): Published {
  const stacksOut = join(outdir, STACKS);
  const stacksNew = join(staging, STACKS);
  mkdirSync(stacksOut, { recursive: true });
  const synthesized = new Set(existsSync(stacksNew) ? readdirSync(stacksNew) : []);
  const orphans = readdirSync(stacksOut).filter((id) => !synthesized.has(id));
  const keptWithState = orphans.filter((id) => holdsState(join(stacksOut, id)));
  if (options.underCdktfCli && keptWithState.length > 0)
    throw new EnvironmentConfigError(
      'synthesis output',
      keptWithState.map((id) => ({
        path: join(stacksOut, id),
        message:
          'is no stack of the config but holds a local Terraform state, which cdktf synth would delete: move the state out first',
      })),
    );
  const removed = options.underCdktfCli ? [] : orphans.filter((id) => !keptWithState.includes(id));
  for (const id of removed) rmSync(join(stacksOut, id), { recursive: true, force: true });
  for (const id of synthesized) replaceEntries(join(stacksNew, id), join(stacksOut, id));
  // The manifest last: until it is replaced, the output reads as the previous synthesis.
  for (const entry of readdirSync(staging).filter((e) => e !== STACKS && e !== 'manifest.json')) {
    rmSync(join(outdir, entry), { recursive: true, force: true });
    renameSync(join(staging, entry), join(outdir, entry));
  }
  if (existsSync(join(staging, 'manifest.json')))
    renameSync(join(staging, 'manifest.json'), join(outdir, 'manifest.json'));
  rmSync(staging, { recursive: true, force: true });
  return { removed, keptWithState };
}

export interface SynthesizeOptions extends PublishOptions {
  /**
   * Called when synthesis (or `finish`) threw, before the error propagates: the one thing it may do
   * is write the guardrail report into `outdir` (a failed synthesis's SARIF); the stacks and the
   * manifest stay as they were.
   */
  readonly failed?: (app: App, error: unknown, outdir: string) => void;
}

/**
 * Defines the app's stacks with `define`, synthesizes them into a staging directory, lets `finish`
 * add files beside them (the guardrail report), and publishes the whole into `outdir`. Anything
 * thrown leaves the stacks and manifest of `outdir` as they were (`options.failed` may write the
 * guardrail report).
 */
export function synthesizeInto(
  outdir: string,
  define: (app: App) => void,
  finish: (app: App, staging: string) => void = () => undefined,
  options: SynthesizeOptions = {},
): Published {
  const staging = stagingDir(outdir);
  let app: App | undefined;
  try {
    app = new App({ outdir: staging });
    define(app);
    app.synth();
    finish(app, staging);
  } catch (error) {
    if (app && options.failed) options.failed(app, error, outdir);
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  try {
    return publishSynthesis(staging, outdir, options);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
