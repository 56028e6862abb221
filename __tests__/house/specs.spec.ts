/**
 * Every spec runs: jest runs only the runners (`__tests__/<folder>.test.ts`), so a spec no runner
 * loads would silently never run (support/specs.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unrunSpecs } from '../support/specs';

const RUNNER = (folder: string) =>
  `import { join } from 'node:path';\nimport { describeSpecs } from './support/specs';\n\ndescribeSpecs(join(__dirname, '${folder}'));\n`;

describe('the spec runners', () => {
  it('load every spec under __tests__', () => {
    expect(unrunSpecs(join(__dirname, '..'))).toEqual([]);
  });

  it('report a spec outside a folder, nested, without a runner or with a runner that loads another folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'specs-'));
    try {
      const write = (path: string, text = '') => {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('loose.spec.ts');
      write('ran/a.spec.ts');
      write('ran.test.ts', RUNNER('ran'));
      write('ran/deeper/b.spec.ts');
      write('orphan/c.spec.ts');
      write('wrong/d.spec.ts');
      write('wrong.test.ts', RUNNER('ran'));
      expect(unrunSpecs(root)).toEqual([
        'loose.spec.ts',
        'orphan/c.spec.ts',
        'ran/deeper/b.spec.ts',
        'wrong/d.spec.ts',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
