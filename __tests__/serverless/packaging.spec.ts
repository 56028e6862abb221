/** Lambda packaging (constructs/core/packaging.ts): deterministic, cached by source. */
import { execFileSync } from 'node:child_process';
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
import { unzipSync } from 'fflate';
import { deterministicZip, lambdaPackage, repositoryRoot, sourceHash } from '../../constructs/core/packaging';

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
  for (const pkg of ['esbuild', 'fflate'])
    cpSync(join(root, 'node_modules', pkg, 'package.json'), join(copy, 'node_modules', pkg, 'package.json'));
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

  it('hold one index.js exporting the handler, with a fixed timestamp and mode', () => {
    const pkg = lambdaPackage('event-processor', root, tempDir());
    const zip = readFileSync(pkg.zipPath);
    const files = unzipSync(zip);
    expect(Object.keys(files)).toEqual(['index.js']);
    const code = Buffer.from(files['index.js']).toString();
    const mod: any = { exports: {} };
    new Function('module', 'exports', 'require', code)(mod, mod.exports, require);
    expect(typeof mod.exports.handler).toBe('function');
    // Read by Info-ZIP too, whose listing shows each entry's mode and DOS time stamp.
    expect(zipListing(pkg.zipPath)).toEqual([
      expect.stringMatching(/^-rw-r--r-- .* defN 80-Jan-01 00:00 index\.js$/),
    ]);
    expect(execFileSync('unzip', ['-tq', pkg.zipPath]).toString()).toMatch(/^No errors detected/);
  });

  it('zip the same entries to the same bytes', () => {
    const entries = [{ name: 'index.js', data: Buffer.from('exports.handler = 1;') }];
    expect(deterministicZip(entries).equals(deterministicZip(entries))).toBe(true);
  });
});

/** zipinfo's line per entry (`-rw-r--r--  2.0 unx  20 b- defN 80-Jan-01 00:00 index.js`). */
function zipListing(zipPath: string): string[] {
  return execFileSync('zipinfo', ['-s', zipPath])
    .toString()
    .split('\n')
    .filter((line) => /^[-dl][-r][-w]/.test(line));
}

describe('the zip writer', () => {
  const entries = [
    { name: 'lib/util.js', data: Buffer.from('exports.util = 2;') },
    { name: 'index.js', data: Buffer.from('exports.handler = require("./lib/util");') },
    { name: 'a.json', data: Buffer.from('{}') },
  ];

  it('writes the entries sorted by name, whatever their order, readable by unzip', () => {
    const zip = deterministicZip(entries);
    expect(deterministicZip([...entries].reverse()).equals(zip)).toBe(true);
    const files = unzipSync(zip);
    expect(Object.keys(files)).toEqual(['a.json', 'index.js', 'lib/util.js']);
    expect(Buffer.from(files['lib/util.js']).toString()).toBe('exports.util = 2;');
    const path = join(tempDir(), 'entries.zip');
    writeFileSync(path, zip);
    const listing = zipListing(path);
    expect(listing.map((line) => line.split(' ').pop())).toEqual(['a.json', 'index.js', 'lib/util.js']);
    for (const line of listing) expect(line).toMatch(/^-rw-r--r-- .* 80-Jan-01 00:00 /);
  });

  it('gives the same bytes in every time zone (the timestamp is 1980-01-01 00:00, DOS date 0x21)', () => {
    const zone = process.env.TZ;
    try {
      const zips = ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles'].map((tz) => {
        process.env.TZ = tz;
        return deterministicZip(entries);
      });
      for (const zip of zips) expect(zip.equals(zips[0])).toBe(true);
      expect(zips[0].readUInt16LE(10)).toBe(0); // local header: DOS time 00:00
      expect(zips[0].readUInt16LE(12)).toBe(0x21); // DOS date 1980-01-01
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('refuses entries it cannot keep in order: duplicates and integer-like names', () => {
    const one = { name: 'index.js', data: Buffer.from('') };
    expect(() => deterministicZip([one, one])).toThrow(/duplicate entry index\.js/);
    expect(() => deterministicZip([one, { name: '10', data: Buffer.from('') }])).toThrow(
      /unsupported entry name 10/,
    );
  });

  it('changes the package hash when the zip writer changes: no zip of an older writer is reused', () => {
    const copy = sourceCopy();
    const before = sourceHash(copy, 'email-validation');
    const manifest = join(copy, 'node_modules', 'fflate', 'package.json');
    writeFileSync(
      manifest,
      JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), version: '0.0.0' }),
    );
    expect(sourceHash(copy, 'email-validation')).not.toBe(before);
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
