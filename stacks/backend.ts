import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { StateConfig } from '../environments/schema';
import { TERRAFORM_REQUIRED_VERSION } from './toolchain';

/**
 * Every stack's backend is made here, S3 or local, and with it the stack's
 * `terraform.required_version` (stacks/toolchain.ts): no stack reaches Terraform without both.
 */
function requireTerraform(stack: Construct): void {
  TerraformStack.of(stack).addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
}

/** The account's S3 backend (bucket, lock table, KMS alias from `state.*`) at `key`. */
export function s3Backend(stack: Construct, state: StateConfig, key: string): S3Backend {
  requireTerraform(stack);
  const backend = new S3Backend(stack, {
    bucket: state.bucket,
    key,
    region: state.region,
    encrypt: true,
    kmsKeyId: state.kmsKeyAlias,
    dynamodbTable: state.lockTable,
  });
  // cdktf 0.21's S3Backend has no use_lockfile (Terraform >= 1.10): written as an override.
  if (state.useLockfile) backend.addOverride('use_lockfile', true);
  return backend;
}

/** A state file at `path` (relative to the stack's directory): a state stack before its bucket exists. */
export function localBackend(stack: Construct, path: string): LocalBackend {
  requireTerraform(stack);
  return new LocalBackend(stack, { path });
}
