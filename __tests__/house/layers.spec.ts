/**
 * The layer rule (docs/architecture.md, "Layers"): a layer folder (`constructs/<layer>/`, nested
 * folders included) imports only its own folder, `constructs/core/` and `environments/`; never
 * another layer or `stacks/` (the stack wires layers together by their props). `constructs/core/`
 * is below every layer: it imports only itself and `environments/`. Packages are not judged.
 *
 * Imports are read by TypeScript's own scanner (`ts.preProcessFile`): `import`, `import type`,
 * `export ... from`, `require()`, `import()` and `import x = require()`, however they are wrapped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import * as ts from 'typescript';

const root = join(__dirname, '..', '..');
const CORE = 'core';

export interface LayerViolation {
  /** The importing file, relative to the repository root. */
  readonly file: string;
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
  /** What it resolves to, relative to the repository root (without an extension). */
  readonly target: string;
  readonly message: string;
}

/** The layer folder of a repository path (`constructs/<folder>/...`), if it is in one. */
function folderOf(path: string): string | undefined {
  const [top, folder, ...rest] = path.split('/');
  // `constructs/<folder>/...`, or `constructs/<folder>` itself (its index); not a file in constructs/.
  const inFolder = folder !== undefined && (rest.length > 0 || !folder.includes('.'));
  return top === 'constructs' && inFolder ? folder : undefined;
}

/** Why `file` (in layer folder `from`) may not import `target`, or nothing when it may. */
function breach(from: string, target: string): string | undefined {
  const [top] = target.split('/');
  if (top === 'stacks') return 'constructs never import stacks/ (the stack wires the layers)';
  if (top === 'environments') return undefined;
  const to = folderOf(target);
  if (to === undefined)
    return top === 'constructs'
      ? 'constructs/ holds only layer folders and core/'
      : 'constructs import only constructs/core/, environments/ and their own layer';
  if (to === from) return undefined;
  if (from === CORE) return `constructs/core/ is below every layer: it never imports a layer (${to})`;
  if (to === CORE) return undefined;
  return `layer ${from} imports layer ${to}: move the shared piece to constructs/core/ or pass it through props`;
}

/**
 * Every import of a file in `constructs/` that breaks the layer rule. `files` maps repository-
 * relative paths (`/`-separated) to their source; files outside `constructs/<folder>/` are skipped.
 */
export function layerViolations(files: ReadonlyMap<string, string>): LayerViolation[] {
  const found: LayerViolation[] = [];
  for (const [file, source] of files) {
    const from = folderOf(file);
    if (from === undefined || !file.startsWith('constructs/')) continue;
    const { importedFiles } = ts.preProcessFile(source, true, true);
    for (const { fileName: specifier, pos } of importedFiles) {
      if (!specifier.startsWith('.')) continue; // a package
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      const why = breach(from, target);
      if (!why) continue;
      const line = source.slice(0, pos).split('\n').length;
      found.push({
        file,
        line,
        specifier,
        target,
        message: `${file}:${line} imports '${specifier}' (${target}): ${why}`,
      });
    }
  }
  return found;
}

/** Every .ts file under `dir`, by repository-relative path. */
function sources(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.[cm]?tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
        files.set(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

describe('the layer rule', () => {
  it('holds in constructs/: no layer imports another layer or stacks/, core imports no layer', () => {
    const files = sources(join(root, 'constructs'));
    // The walk saw the tree: every layer folder and the nested ones.
    expect(files.size).toBeGreaterThan(100);
    for (const path of ['constructs/core/naming.ts', 'constructs/compute/eks/eks-compute.ts'])
      expect(files.has(path)).toBe(true);
    expect(layerViolations(files).map((v) => v.message)).toEqual([]);
  });

  it('reports a planted violation of every kind, with its file, line and import', () => {
    const planted = new Map<string, string>([
      [
        'constructs/frontend/site.ts',
        [
          "import { Layer } from '../core/addresses';", // core: allowed
          "import type { EnvironmentConfig } from '../../environments/schema';", // allowed
          "import { SiteBucket } from './site-bucket';", // own layer: allowed
          "import { Construct } from 'constructs';", // a package: not judged
          'import {',
          '  WebFirewall,',
          "} from '../edge/web-firewall';",
          "import type { EdgeLayer } from '../edge';",
          "import { regionalProvider } from '../../stacks/aws';",
          "export { Bucket } from '../data/app-bucket';",
          "const lazy = () => require('../identity/user-pool');",
          "type Later = typeof import('../compute/compute-layer');",
        ].join('\n'),
      ],
      [
        'constructs/compute/eks/nested.ts',
        ["import { Workload } from '../compute-layer';", "import { Db } from '../../data/aurora';"].join(
          '\n',
        ),
      ],
      ['constructs/core/below.ts', "import { SiteDomain } from '../edge/site-domain';"],
      ['constructs/network/script.ts', "import { run } from '../../scripts/offline/run';"],
      ['stacks/platform-stack.ts', "import { EdgeLayer } from '../constructs/edge/edge-layer';"],
    ]);
    const found = layerViolations(planted);
    expect(found.map(({ file, line, specifier }) => `${file}:${line} ${specifier}`)).toEqual([
      'constructs/frontend/site.ts:7 ../edge/web-firewall',
      'constructs/frontend/site.ts:8 ../edge',
      'constructs/frontend/site.ts:9 ../../stacks/aws',
      'constructs/frontend/site.ts:10 ../data/app-bucket',
      'constructs/frontend/site.ts:11 ../identity/user-pool',
      'constructs/frontend/site.ts:12 ../compute/compute-layer',
      'constructs/compute/eks/nested.ts:2 ../../data/aurora',
      'constructs/core/below.ts:1 ../edge/site-domain',
      'constructs/network/script.ts:1 ../../scripts/offline/run',
    ]);
    expect(found[0].message).toBe(
      "constructs/frontend/site.ts:7 imports '../edge/web-firewall' (constructs/edge/web-firewall): " +
        'layer frontend imports layer edge: move the shared piece to constructs/core/ or pass it through props',
    );
    expect(found[2].message).toMatch(/never import stacks\//);
    expect(found[7].message).toMatch(/core\/ is below every layer/);
  });
});
