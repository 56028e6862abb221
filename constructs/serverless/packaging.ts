/**
 * Lambda packages built during synthesis (a fresh clone has no build output): `serverless/<name>/
 * handler.ts` bundled by esbuild into one `index.js`, zipped deterministically (one entry, fixed
 * timestamp and attributes), so the same source always gives the same bytes, the same asset hash and
 * no plan diff. Builds are cached by a hash of every source under `serverless/` (plus the esbuild
 * version and options) in `dist/lambda/`: a synth whose handlers did not change builds nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { deflateRawSync } from 'node:zlib';

export interface LambdaPackage {
  /** Absolute path of the zip (in the build cache). */
  readonly zipPath: string;
  /** Hash of the sources the zip was built from: the asset hash. */
  readonly sourceHash: string;
  /** base64 SHA-256 of the zip, Lambda's `source_code_hash`. */
  readonly codeSha256: string;
}

/** The repository root: the nearest folder above `from` holding package.json. */
export function repositoryRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

// The Lambda runtime is Node.js 22 and ships the AWS SDK v3: it is not bundled.
const BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external: ['@aws-sdk/*'],
  legalComments: 'none',
  charset: 'utf8',
} as const;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

// The main.ts bundle must not contain esbuild: it is resolved from the repository at run time.
function loadEsbuild(root: string): typeof import('esbuild') {
  return createRequire(join(root, 'package.json'))('esbuild') as typeof import('esbuild');
}

/** Hash of what the package is built from: every file under serverless/, the entry, the toolchain. */
export function sourceHash(root: string, name: string): string {
  const hash = createHash('sha256');
  const esbuildVersion = JSON.parse(
    readFileSync(join(root, 'node_modules/esbuild/package.json'), 'utf8'),
  ).version;
  hash.update(JSON.stringify({ name, esbuildVersion, BUILD_OPTIONS }));
  for (const file of sourceFiles(join(root, 'serverless'))) {
    hash.update(relative(root, file).split('\\').join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 32);
}

/** Builds (or reuses) the package of `serverless/<name>/handler.ts`. */
export function lambdaPackage(
  name: string,
  root = repositoryRoot(),
  cacheDir = join(root, 'dist', 'lambda'),
): LambdaPackage {
  const hash = sourceHash(root, name);
  const zipPath = join(cacheDir, `${name}-${hash}.zip`);
  if (!existsSync(zipPath)) {
    const result = loadEsbuild(root).buildSync({
      ...BUILD_OPTIONS,
      external: [...BUILD_OPTIONS.external],
      entryPoints: [join(root, 'serverless', name, 'handler.ts')],
      absWorkingDir: root,
      write: false,
      outfile: 'index.js',
      logLevel: 'error',
    });
    mkdirSync(cacheDir, { recursive: true });
    // Older builds of this handler only: not another handler's, not a parallel synth's partial file.
    const previous = new RegExp(`^${name}-[0-9a-f]{32}\\.zip$`);
    for (const old of readdirSync(cacheDir).filter((f) => previous.test(f) && f !== basename(zipPath)))
      rmSync(join(cacheDir, old), { force: true });
    // Written beside and renamed: a parallel synth never reads a half-written zip.
    const partial = `${zipPath}.${process.pid}.tmp`;
    writeFileSync(
      partial,
      deterministicZip([{ name: 'index.js', data: Buffer.from(result.outputFiles[0].contents) }]),
    );
    renameSync(partial, zipPath);
  }
  const codeSha256 = createHash('sha256').update(readFileSync(zipPath)).digest('base64');
  return { zipPath, sourceHash: hash, codeSha256 };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// 1980-01-01 00:00 in DOS format: the zip's only timestamp, whatever the files' mtimes.
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;

/** A zip of the entries in the given order, deflated, with fixed timestamps and -rw-r--r-- files. */
export function deterministicZip(entries: readonly { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = deflateRawSync(entry.data, { level: 9 });
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the mode below counts
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100644 << 16) >>> 0) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralSize = centrals.reduce((s, b) => s + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
