/**
 * Specs run in groups: each folder of __tests__ holding `*.spec.ts` files has a runner beside it,
 * `__tests__/<folder>.test.ts`, which loads every spec of the folder into one jest test file. jest
 * gives each test file its own module registry, and a spec that builds stacks spends ~0.4 s of CPU
 * loading the provider classes and the platform before its first test; grouped, the folder pays that
 * once. Each spec runs inside a describe named after it, so its hooks (beforeAll, afterAll) stay its
 * own and failures name it. `npx jest <path>.spec.ts` runs named specs alone (jest.config.js).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

export const SPEC_SUFFIX = '.spec.ts';

/** The specs of a folder, by name. */
export function specsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(SPEC_SUFFIX))
    .sort();
}

/** Registers every spec of `dir`, each in a describe named after it. */
export function describeSpecs(dir: string): void {
  const specs = specsIn(dir);
  if (specs.length === 0) throw new Error(`no ${SPEC_SUFFIX} files in ${dir}`);
  for (const file of specs)
    describe(file.slice(0, -SPEC_SUFFIX.length), () => {
      // Loaded while jest collects, inside this describe: jest's own require, in this file's registry.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(join(dir, file));
    });
}

/**
 * Specs under `root` no runner loads: a spec at the top or nested two folders deep, or in a folder
 * whose runner (`<root>/<folder>.test.ts`) is missing or does not call describeSpecs for it.
 */
export function unrunSpecs(root: string): string[] {
  const specs = (readdirSync(root, { recursive: true }) as string[])
    .map((p) => p.split(sep).join('/'))
    .filter((p) => p.endsWith(SPEC_SUFFIX));
  return specs
    .filter((path) => {
      const parts = path.split('/');
      if (parts.length !== 2) return true;
      const runner = join(root, `${parts[0]}.test.ts`);
      const call = `describeSpecs(join(__dirname, '${parts[0]}'))`;
      return !existsSync(runner) || !readFileSync(runner, 'utf8').includes(call);
    })
    .sort();
}
