/**
 * The package patches of patches/ (patch-package's format: a git diff per package, paths from the
 * project root, `node_modules/<package>/...`), read back: which installed files they change, and
 * those files as the package published them (each patch reversed with `patch -R` on a copy).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..');
const patchDir = join(root, 'patches');

export interface PatchedFile {
  /** The patch file, relative to the project root. */
  readonly patch: string;
  /** The installed file it changes, relative to the project root. */
  readonly path: string;
}

/** Every file a patch of patches/ changes. */
export function patchedFiles(): PatchedFile[] {
  return readdirSync(patchDir)
    .filter((f) => f.endsWith('.patch'))
    .flatMap((f) =>
      [...readFileSync(join(patchDir, f), 'utf8').matchAll(/^diff --git a\/(\S+) b\/\S+$/gm)].map((m) => ({
        patch: `patches/${f}`,
        path: m[1],
      })),
    );
}

let unpatched: Map<string, string> | undefined;

/** The published source of each patched file, by path relative to the project root. */
export function unpatchedSources(): Map<string, string> {
  if (unpatched) return unpatched;
  const copy = mkdtempSync(join(tmpdir(), 'unpatched-sources-'));
  const files = patchedFiles();
  for (const { path } of files) {
    mkdirSync(dirname(join(copy, path)), { recursive: true });
    copyFileSync(join(root, path), join(copy, path));
  }
  for (const patch of new Set(files.map((f) => f.patch)))
    execFileSync('patch', ['-R', '-p1', '--quiet', '-d', copy, '-i', join(root, patch)]);
  unpatched = new Map(files.map(({ path }) => [path, readFileSync(join(copy, path), 'utf8')]));
  return unpatched;
}
