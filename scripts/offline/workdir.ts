/**
 * The work directory of one offline check: a copy of the synthesized stack plus `*_override.tf.json`
 * files (a local backend; per provider alias, mock credentials with every account and credential
 * lookup skipped), the generated `terraform test` file and the empty module its teardown applies.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { offlineVariableValues, providerAliases, type StackJson } from './stack';
import { offlineTestFile, TEARDOWN_MODULE, type TestFileOptions } from './test-file';

export const DEFAULT_PLUGIN_MIRROR = '/opt/tf-plugins';
/** The provider version @cdktf/provider-aws 20.1.0 is generated for. */
export const AWS_PROVIDER_VERSION = '5.100.0';
/** The generated test file's name in the work directory. */
export const TEST_FILE = 'offline.tftest.hcl';

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

/** Dummy variable values (offlineVariableValues), loaded automatically by terraform. */
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

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Copies the stack into a fresh `workDir` and writes the override files and the test file. */
export function prepareWorkDir(stackDir: string, workDir: string, options: TestFileOptions = {}): StackJson {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  cpSync(stackDir, workDir, {
    recursive: true,
    filter: (src) => !src.startsWith(join(stackDir, '.terraform')),
  });
  const stack = JSON.parse(readFileSync(join(workDir, 'cdk.tf.json'), 'utf8')) as StackJson;
  writeJson(join(workDir, 'backend_override.tf.json'), BACKEND_OVERRIDE);
  writeJson(join(workDir, 'provider_override.tf.json'), providerOverride(stack));
  // Read by `terraform plan` and `terraform test` alike: dummy values for the sensitive variables.
  const variables = offlineVariableValues(stack);
  if (Object.keys(variables).length > 0) writeJson(join(workDir, OFFLINE_VARIABLES), variables);
  // The teardown run applies this module (no resources, the stack's provider aliases) to the
  // mock-applied state: see test-file.ts. Its `removed` blocks make Terraform forget each resource
  // instead of destroying it through the mock provider: the state empties with no provider calls.
  mkdirSync(join(workDir, TEARDOWN_MODULE), { recursive: true });
  writeJson(join(workDir, TEARDOWN_MODULE, 'main.tf.json'), {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } } },
    provider: { aws: providerAliases(stack).map((alias) => (alias ? { alias } : {})) },
    removed: Object.entries(stack.resource ?? {}).flatMap(([type, byName]) =>
      Object.keys(byName).map((name) => ({ from: `${type}.${name}`, lifecycle: { destroy: false } })),
    ),
  });
  writeFileSync(join(workDir, TEST_FILE), offlineTestFile(stack, options));
  return stack;
}
