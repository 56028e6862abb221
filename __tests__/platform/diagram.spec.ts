/** `npm run diagram` (scripts/diagram/): current, parsed by Mermaid's own parser, following config. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../../environments';
import { diagramDocument, diagramIndex, platformDiagram } from '../../scripts/diagram/platform-diagram';
import { buildStacks, envInput, registryOf } from '../support/fixtures';

const ROOT = join(__dirname, '..', '..');
const envs = [...Object.keys(registry.environments), ...Object.keys(registry.references)];
const files = envs.map((env) => join(ROOT, 'docs', 'diagrams', `${env}.md`));

/** Runs Mermaid's parser (in a child process: mermaid is ESM-only) over `paths`. */
function parse(paths: string[]): {
  status: number;
  results: Array<{ file: string; diagramType?: string; error?: string }>;
} {
  try {
    const out = execFileSync('node', [join(ROOT, 'scripts', 'diagram', 'parse-mermaid.mjs'), ...paths], {
      encoding: 'utf8',
    });
    return {
      status: 0,
      results: out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    };
  } catch (e: any) {
    return {
      status: e.status,
      results: String(e.stdout)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    };
  }
}

// One parser process for every document (starting Mermaid under jsdom costs seconds): the committed
// diagrams, the README's, and last a broken one.
const broken = join(mkdtempSync(join(tmpdir(), 'diagram-')), 'broken.md');
writeFileSync(broken, '```mermaid\nflowchart LR\n  a[unclosed --> b\n```\n');
const parsed = parse([...files, join(ROOT, 'README.md'), broken]);

describe('the committed diagrams', () => {
  const built = buildStacks(registry);
  const stacks = { ...built.platform, ...built.reference };

  it.each(envs)('%s is current (run npm run diagram when this fails)', (env) => {
    const expected = diagramDocument(env, platformDiagram(stacks[env]));
    expect(readFileSync(join(ROOT, 'docs', 'diagrams', `${env}.md`), 'utf8')).toBe(expected);
  });

  it("parse as flowcharts with Mermaid's own parser, as does the README's", () => {
    expect(parsed.results.slice(0, -1).map((r) => r.error ?? r.diagramType)).toEqual(
      [...files, 'README'].map(() => 'flowchart-v2'),
    );
  });

  it('are listed in docs/diagrams/README.md, which the README links to', () => {
    expect(readFileSync(join(ROOT, 'docs', 'diagrams', 'README.md'), 'utf8')).toBe(diagramIndex(envs));
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('(docs/diagrams/README.md)');
  });
});

describe('the parser', () => {
  it('rejects a broken diagram (the check can fail)', () => {
    expect(parsed.status).toBe(1);
    expect(parsed.results[parsed.results.length - 1].error).toMatch(/Parse error/);
  });
});

describe('a new service in config', () => {
  it('appears with its route and what it uses', () => {
    const dev = envInput('dev');
    dev.services.reports = {
      ...structuredClone(dev.services.backend),
      port: 8080,
      pathPatterns: ['/reports/*'],
      uses: { tables: ['sessions'] },
    };
    delete dev.services.reports.autoscaling;
    const before = platformDiagram(buildStacks(registryOf([envInput('dev')])).platform.dev);
    const after = platformDiagram(buildStacks(registryOf([dev])).platform.dev);
    expect(before).not.toContain('svc_reports');
    expect(after).toContain('svc_reports["reports<br/>');
    expect(after).toContain('alb -->|"/reports/*"| svc_reports');
    expect(after).toContain('svc_reports --> table_sessions');
  });
});
