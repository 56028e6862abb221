import { App, type TerraformStack } from 'cdktf';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from '../../environments/registry';
import { findTerraform } from '../../scripts/offline-terraform';
import { definePlatform } from '../../stacks/platform-app';

/**
 * The terraform binary, or undefined when the suite should be skipped. Under CI a missing binary is
 * a failure: a skipped proof is no proof.
 */
export function terraformOrSkip(): string | undefined {
  const terraform = findTerraform();
  if (terraform) return terraform;
  const message =
    'terraform is not installed: the validate / offline plan / mock apply tests need Terraform 1.11 on PATH ' +
    '(https://developer.hashicorp.com/terraform/install, or set TERRAFORM_BIN).';
  if (process.env.CI) throw new Error(`${message} Failing because CI is set.`);
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPING TERRAFORM TESTS: ${message}\n${'!'.repeat(100)}\n`);
  return undefined;
}

/** Synthesizes every stack of a registry into a fresh directory; returns stack name -> dir. */
export function synthesizeToDisk(
  registry: Registry,
  extra: (app: App) => TerraformStack[] = () => [],
): { outdir: string; stacks: Record<string, string> } {
  const outdir = mkdtempSync(join(tmpdir(), 'platform-synth-'));
  const app = new App({ outdir });
  const defined = definePlatform(app, registry);
  const more = extra(app);
  app.synth();
  const names = [
    ...Object.values(defined.state),
    ...Object.values(defined.baseline),
    ...Object.values(defined.platform),
    ...more,
  ].map((s) => s.node.id);
  return { outdir, stacks: Object.fromEntries(names.map((n) => [n, join(outdir, 'stacks', n)])) };
}
