/**
 * `npm run workflows`: writes .github/workflows/ from the environments registry (and removes
 * generated files no longer produced). The workflows themselves are built in scripts/workflows/.
 * A test fails when the committed files are stale.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry } from '../environments';
import { generateWorkflows, HEADER } from './workflows';

const dir = join(process.cwd(), '.github', 'workflows');
mkdirSync(dir, { recursive: true });
const files = generateWorkflows(registry);
for (const existing of readdirSync(dir)) {
  const generated = readFileSync(join(dir, existing), 'utf8').startsWith(HEADER);
  if (generated && !(existing in files)) rmSync(join(dir, existing));
}
for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
console.log(`wrote ${Object.keys(files).length} workflows to .github/workflows/`);
