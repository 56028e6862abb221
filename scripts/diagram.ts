/**
 * `npm run diagram`: writes docs/diagrams/<env>.md, one Mermaid diagram per environment and reference
 * configuration of the registry (scripts/diagram/platform-diagram.ts), and removes those that are gone.
 * `npm run diagram -- --check` writes nothing and fails when a file is stale.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import { registry } from '../environments';
import { definePlatform } from '../stacks/platform-app';
import { diagramDocument, diagramIndex, platformDiagram } from './diagram/platform-diagram';

// Bundled to dist/ by scripts/run.js: the repository is one level up.
const DIR = join(__dirname, '..', 'docs', 'diagrams');

function main(): void {
  const check = process.argv.includes('--check');
  // Environments and reference configurations alike: each gets its diagram.
  const defined = definePlatform(new App(), registry);
  const stacks = { ...defined.platform, ...defined.reference };
  const wanted = new Map(
    Object.entries(stacks).map(([env, stack]) => [`${env}.md`, diagramDocument(env, platformDiagram(stack))]),
  );
  wanted.set('README.md', diagramIndex(Object.keys(stacks)));
  const stale = [...wanted].filter(([file, text]) => readIf(join(DIR, file)) !== text).map(([f]) => f);
  const extra = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.md') && !wanted.has(f)) : [];
  if (check) {
    if (stale.length + extra.length > 0) {
      console.error(`diagrams are stale: ${[...stale, ...extra].join(', ')}; run npm run diagram`);
      process.exit(1);
    }
    return;
  }
  mkdirSync(DIR, { recursive: true });
  for (const [file, text] of wanted) writeFileSync(join(DIR, file), text);
  for (const file of extra) rmSync(join(DIR, file));
  console.log(
    `wrote ${wanted.size} diagrams to docs/diagrams/ (${stale.length} changed, ${extra.length} removed)`,
  );
}

function readIf(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

main();
