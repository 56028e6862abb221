import { S3Backend } from 'cdktf';
import type { Construct } from 'constructs';
import type { StateConfig } from '../environments/schema';

/** The account's S3 backend (bucket, lock table, KMS alias from `state.*`) at `key`. */
export function s3Backend(stack: Construct, state: StateConfig, key: string): S3Backend {
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
