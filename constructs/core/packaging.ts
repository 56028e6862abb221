/**
 * Lambda packages built during synthesis (a fresh clone has no build output): `serverless/<name>/
 * handler.ts` bundled by esbuild into one `index.js`, zipped deterministically by fflate (entries
 * sorted, fixed timestamp and attributes), so the same source always gives the same bytes, the same
 * asset hash and no plan diff. Builds are cached by a hash of every source under `serverless/` (plus
 * the esbuild and fflate versions and their options) in `dist/lambda/`: a synth whose handlers did
 * not change builds nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { zipSync } from 'fflate';

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

// The zip's only timestamp, whatever the files' mtimes: 1980-01-01 00:00 (DOS time 0, date 0x21).
// fflate reads the date's local-time fields, so the date is built from local fields too: the same
// bytes in every time zone.
const ZIP_MTIME = [1980, 0, 1, 0, 0, 0] as const;

// Every entry: deflated at level 9 by fflate's own deflate (not the host's zlib, whose output may
// change with Node's version), made by Unix (os 3) so the -rw-r--r-- mode counts.
const ZIP_FORMAT = { level: 9, mtime: ZIP_MTIME, os: 3, mode: 0o100644 } as const;

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
  const version = (pkg: string): string =>
    JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  // The zip writer and its settings too: a zip cached by an older writer is not reused.
  const zip = { fflateVersion: version('fflate'), ...ZIP_FORMAT };
  hash.update(JSON.stringify({ name, esbuildVersion: version('esbuild'), BUILD_OPTIONS, zip }));
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

/**
 * A zip of the entries sorted by name, deflated, with a fixed timestamp and -rw-r--r-- files: the
 * same entries always give the same bytes (fflate writes the container).
 */
export function deterministicZip(entries: readonly { name: string; data: Buffer }[]): Buffer {
  const names = new Set<string>();
  const files: [string, Uint8Array][] = [...entries]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, data }) => {
      if (names.has(name)) throw new Error(`deterministicZip: duplicate entry ${name}`);
      names.add(name);
      return [name, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
    });
  // zipSync writes the files in the object's key order, and JavaScript puts integer-like keys
  // first, whatever the insertion order: such a name would break the sorted order, so it is refused.
  const integerLike = files.find(([name]) => /^(0|[1-9][0-9]*)$/.test(name));
  if (integerLike) throw new Error(`deterministicZip: unsupported entry name ${integerLike[0]}`);
  const { level, mtime, os, mode } = ZIP_FORMAT;
  return Buffer.from(
    zipSync(Object.fromEntries(files), {
      level,
      mtime: new Date(...mtime),
      os,
      attrs: (mode << 16) >>> 0,
    }),
  );
}
