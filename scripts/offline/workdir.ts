/**
 * The work directory of one offline check: a copy of the synthesized stack plus `*_override.tf.json`
 * files (a local backend; per provider alias, mock credentials with every account and credential
 * lookup skipped), the generated `terraform test` file and the empty module its teardown applies.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { PROVIDER_LOCK_FILE } from '../../stacks/toolchain';
import { offlineVariableValues, providerAliases, type StackJson } from './stack';
import { offlineTestFile, TEARDOWN_MODULE, type TestFileOptions } from './test-file';

export const DEFAULT_PLUGIN_MIRROR = '/opt/tf-plugins';
/** The provider version @cdktf/provider-aws 20.1.0 is generated for. */
export const AWS_PROVIDER_VERSION = '5.100.0';
/** The generated test file's name in the work directory. */
export const TEST_FILE = 'offline.tftest.hcl';

/**
 * The committed provider lock file (stacks/toolchain.ts) in the repository root: the nearest
 * directory above this code that holds package.json (it runs from scripts/offline/ or, bundled, dist/).
 */
export function providerLockFile(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, PROVIDER_LOCK_FILE);
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

/** Puts the committed lock file in `dir`, the root module `terraform init` runs in: the provider it locks, no other. */
export function placeLockFile(dir: string): void {
  copyFileSync(providerLockFile(), join(dir, PROVIDER_LOCK_FILE));
}

/** The terraform binary on PATH (or `TERRAFORM_BIN`), if any. */
export function findTerraform(): string | undefined {
  if (process.env.TERRAFORM_BIN)
    return existsSync(process.env.TERRAFORM_BIN) ? process.env.TERRAFORM_BIN : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'terraform');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** `TF_PLUGIN_DIR`, else the machine's mirror when it exists, else none (plain init). */
export function pluginDir(): string | undefined {
  if (process.env.TF_PLUGIN_DIR) return process.env.TF_PLUGIN_DIR;
  return existsSync(DEFAULT_PLUGIN_MIRROR) ? DEFAULT_PLUGIN_MIRROR : undefined;
}

/** Mock credentials; `allowed_account_ids = []` because the account id is never requested. */
const MOCK_PROVIDER_SETTINGS = {
  access_key: 'mock-access-key',
  secret_key: 'mock-secret-key',
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
  allowed_account_ids: [],
};

/** Dummy variable values (offlineVariableValues) for `terraform plan` in a stack's own work dir. */
export const OFFLINE_VARIABLES = 'offline.auto.tfvars.json';

/** `backend_override.tf.json`: state in the work directory instead of S3. */
export const BACKEND_OVERRIDE = { terraform: { backend: { local: { path: 'terraform.tfstate' } } } };

/** `provider_override.tf.json`: every alias keeps its region and tags, with mock credentials. */
export function providerOverride(stack: StackJson): object {
  return {
    provider: {
      aws: providerAliases(stack).map((alias) => ({
        ...(alias ? { alias } : {}),
        ...MOCK_PROVIDER_SETTINGS,
      })),
    },
  };
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Copies the stack into a fresh `dir` and writes its override files and the teardown module: what
 * the stack needs, as the root module of a work dir or as one stack of a batch (batch.ts).
 */
export function prepareStackDir(stackDir: string, dir: string): StackJson {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(stackDir, dir, {
    recursive: true,
    filter: (src) => !src.startsWith(join(stackDir, '.terraform')),
  });
  const stack = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as StackJson;
  writeJson(join(dir, 'backend_override.tf.json'), BACKEND_OVERRIDE);
  writeJson(join(dir, 'provider_override.tf.json'), providerOverride(stack));
  // The teardown run applies this module (no resources, the stack's provider aliases) to the
  // mock-applied state: see test-file.ts. Its `removed` blocks make Terraform forget each resource
  // instead of destroying it through the mock provider: the state empties with no provider calls.
  mkdirSync(join(dir, TEARDOWN_MODULE), { recursive: true });
  writeJson(join(dir, TEARDOWN_MODULE, 'main.tf.json'), {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } } },
    provider: { aws: providerAliases(stack).map((alias) => (alias ? { alias } : {})) },
    removed: Object.entries(stack.resource ?? {}).flatMap(([type, byName]) =>
      Object.keys(byName).map((name) => ({ from: `${type}.${name}`, lifecycle: { destroy: false } })),
    ),
  });
  return stack;
}

/**
 * A work dir whose root module is the stack (`npm run plan:offline -- <stack>`): the stack's files,
 * the committed lock file (over any the stack's directory had), the dummy variable values for
 * `terraform plan`, and the test file.
 */
export function prepareWorkDir(stackDir: string, workDir: string, options: TestFileOptions = {}): StackJson {
  const stack = prepareStackDir(stackDir, workDir);
  placeLockFile(workDir);
  const variables = offlineVariableValues(stack);
  if (Object.keys(variables).length > 0) writeJson(join(workDir, OFFLINE_VARIABLES), variables);
  writeFileSync(join(workDir, TEST_FILE), offlineTestFile(stack, options));
  return stack;
}
