/** The app's output is published whole or not at all (stacks/synth-output.ts). */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { StableAddressStack } from '../../constructs/core/addresses';
import { applyGuardrails } from '../../constructs/core/guardrails';
import { publishSynthesis, synthesizeInto } from '../../stacks/synth-output';

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/** An output directory as a previous synthesis and Terraform left it. */
function previousOutput(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'synth-out-')), 'cdktf.out');
  write(join(out, 'manifest.json'), 'old manifest');
  write(join(out, 'stacks', 'kept', 'cdk.tf.json'), 'old kept');
  write(join(out, 'stacks', 'kept', 'assets', 'old.zip'), 'old asset');
  write(join(out, 'stacks', 'kept', '.terraform', 'terraform.tfstate'), 'backend config');
  write(join(out, 'stacks', 'kept', '.terraform.lock.hcl'), 'lock');
  write(join(out, 'stacks', 'gone', 'cdk.tf.json'), 'old gone');
  write(join(out, 'stacks', 'gone-with-state', 'cdk.tf.json'), 'old');
  write(join(out, 'stacks', 'gone-with-state', 'terraform.tfstate'), 'local state');
  return out;
}

const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = join(e.parentPath, e.name);
        return [path.slice(dir.length), readFileSync(path, 'utf8')];
      }),
  );

describe('publishing a synthesis', () => {
  it("replaces the synthesized stacks, keeps Terraform's files, removes stacks gone from the config", () => {
    const out = previousOutput();
    const staging = mkdtempSync(join(tmpdir(), 'staging-'));
    write(join(staging, 'manifest.json'), 'new manifest');
    write(join(staging, 'guardrails.json'), 'report');
    write(join(staging, 'stacks', 'kept', 'cdk.tf.json'), 'new kept');
    write(join(staging, 'stacks', 'added', 'cdk.tf.json'), 'new added');

    expect(publishSynthesis(staging, out)).toEqual({ removed: ['gone'], keptWithState: ['gone-with-state'] });
    expect(snapshot(out)).toEqual({
      '/manifest.json': 'new manifest',
      '/guardrails.json': 'report',
      '/stacks/kept/cdk.tf.json': 'new kept',
      '/stacks/kept/.terraform/terraform.tfstate': 'backend config',
      '/stacks/kept/.terraform.lock.hcl': 'lock',
      '/stacks/added/cdk.tf.json': 'new added',
      // Gone from the config, but a local state is never deleted.
      '/stacks/gone-with-state/cdk.tf.json': 'old',
      '/stacks/gone-with-state/terraform.tfstate': 'local state',
    });
    expect(existsSync(staging)).toBe(false);
  });

  it('leaves the previous output exactly as it was when synthesis fails, and no staging behind', () => {
    const out = previousOutput();
    const before = snapshot(out);
    expect(() =>
      synthesizeInto(out, (app) => {
        // A stack that synthesizes, then one whose guardrails fail (a waiver naming no resource).
        new TerraformOutput(new TerraformStack(app, 'fine'), 'o', { value: 'v' });
        const broken = new StableAddressStack(app, 'broken');
        new TerraformOutput(broken, 'o', { value: 'v' });
        applyGuardrails(broken, { waivers: [{ rule: 'public-exposure', resource: 'Nope', reason: 'test' }] });
      }),
    ).toThrow(/Nope/);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(join(out, '..'))).toEqual(['cdktf.out']);
  });

  it('publishes exactly the synthesized stacks on success', () => {
    const out = previousOutput();
    const published = synthesizeInto(out, (app) => {
      new TerraformOutput(new TerraformStack(app, 'kept'), 'o', { value: 'v' });
    });
    expect(published.removed).toEqual(['gone']);
    expect(readdirSync(join(out, 'stacks')).sort()).toEqual(['gone-with-state', 'kept']);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).stacks).toHaveProperty('kept');
    expect(readFileSync(join(out, 'stacks', 'kept', '.terraform.lock.hcl'), 'utf8')).toBe('lock');
  });

  it('under the cdktf CLI leaves gone stacks to the CLI, and refuses while one holds a local state', () => {
    const out = previousOutput();
    const before = snapshot(out);
    const staging = mkdtempSync(join(tmpdir(), 'staging-'));
    write(join(staging, 'stacks', 'kept', 'cdk.tf.json'), 'new kept');
    expect(() => publishSynthesis(staging, out, { underCdktfCli: true })).toThrow(
      /gone-with-state: is no stack of the config but holds a local Terraform state, which cdktf synth would delete/,
    );
    expect(snapshot(out)).toEqual(before);
    rmSync(join(out, 'stacks', 'gone-with-state'), { recursive: true });
    expect(publishSynthesis(staging, out, { underCdktfCli: true })).toEqual({
      removed: [],
      keptWithState: [],
    });
    expect(readdirSync(join(out, 'stacks')).sort()).toEqual(['gone', 'kept']);
  });
});
