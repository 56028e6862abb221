/**
 * Parses the Mermaid blocks of Markdown files with Mermaid's own parser (the `mermaid` package's
 * `mermaid.parse`, the one its renderers use), in Node: Mermaid sanitizes labels with DOMPurify, which
 * needs a DOM, so a jsdom window stands in for the browser (no rendering, no layout).
 * Usage: node scripts/diagram/parse-mermaid.mjs FILE...; prints one JSON line per block
 * ({ file, diagramType } or { file, error }) and exits 1 when a block does not parse.
 * ESM because mermaid is ESM-only; run as a child process by __tests__/platform/diagram.spec.ts.
 */
/* global process, console */
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');

let failed = false;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
  if (blocks.length === 0) {
    console.log(JSON.stringify({ file, error: 'no mermaid block' }));
    failed = true;
  }
  for (const block of blocks) {
    try {
      const { diagramType } = await mermaid.parse(block);
      console.log(JSON.stringify({ file, diagramType }));
    } catch (error) {
      console.log(JSON.stringify({ file, error: String(error.message ?? error) }));
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
