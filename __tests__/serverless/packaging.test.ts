/** Lambda packaging (constructs/serverless/packaging.ts): deterministic, cached by source. */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import {
  deterministicZip,
  lambdaPackage,
  repositoryRoot,
  sourceHash,
} from '../../constructs/serverless/packaging';

const root = repositoryRoot();
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lambda-pkg-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the repository's handler sources (and a link to node_modules) to change freely. */
function sourceCopy(): string {
  const copy = tempDir();
  cpSync(join(root, 'serverless'), join(copy, 'serverless'), { recursive: true });
  writeFileSync(join(copy, 'package.json'), '{}');
  cpSync(
    join(root, 'node_modules', 'esbuild', 'package.json'),
    join(copy, 'node_modules', 'esbuild', 'package.json'),
  );
  return copy;
}

describe('lambda packages', () => {
  it('are the same bytes from two independent builds (two caches): same hash, no plan churn', () => {
    const a = lambdaPackage('email-validation', root, tempDir());
    const b = lambdaPackage('email-validation', root, tempDir());
    expect(b.sourceHash).toBe(a.sourceHash);
    expect(b.codeSha256).toBe(a.codeSha256);
    expect(readFileSync(b.zipPath).equals(readFileSync(a.zipPath))).toBe(true);
  });

  it('do not depend on file timestamps, and change with the source', () => {
    const copy = sourceCopy();
    const before = sourceHash(copy, 'email-validation');
    const file = join(copy, 'serverless', 'email-validation', 'validate.ts');
    utimesSync(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(sourceHash(copy, 'email-validation')).toBe(before);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// changed\n`);
    expect(sourceHash(copy, 'email-validation')).not.toBe(before);
  });

  it('are reused from the cache while the source is unchanged', () => {
    const cache = tempDir();
    const first = lambdaPackage('event-processor', root, cache);
    const built = statSync(first.zipPath).mtimeMs;
    const again = lambdaPackage('event-processor', root, cache);
    expect(again.zipPath).toBe(first.zipPath);
    expect(statSync(again.zipPath).mtimeMs).toBe(built);
  });

  it('hold one index.js exporting the handler, with a fixed timestamp', () => {
    const pkg = lambdaPackage('event-processor', root, tempDir());
    const zip = readFileSync(pkg.zipPath);
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt16LE(10)).toBe(0); // DOS time 00:00
    expect(zip.readUInt16LE(12)).toBe(0x21); // DOS date 1980-01-01
    const nameLength = zip.readUInt16LE(26);
    expect(zip.subarray(30, 30 + nameLength).toString()).toBe('index.js');
    const code = inflateRawSync(
      zip.subarray(30 + nameLength, 30 + nameLength + zip.readUInt32LE(18)),
    ).toString();
    const mod: any = { exports: {} };
    new Function('module', 'exports', 'require', code)(mod, mod.exports, require);
    expect(typeof mod.exports.handler).toBe('function');
  });

  it('zip the same entries to the same bytes', () => {
    const entries = [{ name: 'index.js', data: Buffer.from('exports.handler = 1;') }];
    expect(deterministicZip(entries).equals(deterministicZip(entries))).toBe(true);
  });
});

describe('the build cache', () => {
  it("replaces a handler's older builds only, never another handler's", () => {
    const cache = tempDir();
    const stale = join(cache, `email-validation-${'0'.repeat(32)}.zip`);
    const other = join(cache, `email-${'1'.repeat(32)}.zip`);
    const partial = join(cache, `email-validation-${'2'.repeat(32)}.zip.99.tmp`);
    for (const f of [stale, other, partial]) writeFileSync(f, 'x');
    const pkg = lambdaPackage('email-validation', root, cache);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(other)).toBe(true);
    expect(existsSync(partial)).toBe(true);
    expect(existsSync(pkg.zipPath)).toBe(true);
  });
});
