/**
 * `node dist/scripts/check-stacks.js [stack ...]`: init + offline plan + mock apply of the stacks in
 * cdktf.out/stacks (all of them by default), two at a time. Run `npm run synth` first.
 */
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStack, findTerraform, mapLimit, warmProviderCache } from './offline';

async function main(): Promise<void> {
  const terraform = findTerraform();
  if (!terraform) throw new Error('terraform not found on PATH: install Terraform 1.11');
  const root = join(process.cwd(), 'cdktf.out', 'stacks');
  const stacks = process.argv.slice(2).length > 0 ? process.argv.slice(2) : readdirSync(root);
  const work = join(tmpdir(), `platform-tf-check-${process.pid}`);
  await warmProviderCache(terraform);
  const results = await mapLimit(stacks, 2, (s) => checkStack(terraform, s, join(root, s), join(work, s)));
  let failed = 0;
  for (const r of results) {
    console.log(
      `${r.ok ? 'ok  ' : 'FAIL'} ${r.stack}  ${r.steps.map((s) => `${s.command.split(' ')[1]} ${s.seconds.toFixed(1)}s`).join(', ')}`,
    );
    if (!r.ok) {
      failed++;
      console.log(r.failure);
    }
  }
  // Keep the work directories of failures for a look; remove the rest.
  if (!failed) rmSync(work, { recursive: true, force: true });
  else console.log(`work directories kept in ${work}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
