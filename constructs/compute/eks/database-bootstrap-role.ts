import type { Construct } from 'constructs';
import { MASTER_SECRET_SIDS, secretsReadStatements } from '../../core/iam';
import type { Naming } from '../../core/naming';
import { proxyCredentialRequests, proxyCredentialStatements } from '../../core/proxy-credentials';
import type { ProxyUserCredential } from '../../core/service-bindings';
import { PodIdentityRole } from './pod-identity-role';
import { podRoleDenies } from './pod-contracts';

/**
 * The service account the database bootstrap Job runs as (docs/runbooks.md, "EKS bootstrap"): in a
 * namespace of its own, so no application's pods share it.
 */
export const DATABASE_BOOTSTRAP_SUBJECT = { namespace: 'platform', serviceAccount: 'db-bootstrap' } as const;

export interface DatabaseBootstrapRoleProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
  readonly clusterArn: string;
  /** The master secret (data/master-credential.ts): the one secret this role reads. */
  readonly masterSecretArn: string;
  /** The key the master secret is encrypted with (decrypted through Secrets Manager only). */
  readonly secretsKmsKeyArn: string;
  /** The proxied runtime users whose secrets the Job fills (core/proxy-credentials.ts). Default: none. */
  readonly proxyUsers?: readonly ProxyUserCredential[];
}

/**
 * On EKS the database bootstrap (the SQL creating each service's IAM-authenticated user,
 * constructs/data/app-users.ts) runs as a Kubernetes Job, not as the ECS migration task: its Pod
 * Identity role may read exactly the master secret, decrypting it through Secrets Manager, and
 * nothing else. It is the only pod role that may read it.
 */
export function databaseBootstrapRole(
  scope: Construct,
  id: string,
  props: DatabaseBootstrapRoleProps,
): PodIdentityRole {
  const { namespace, serviceAccount } = DATABASE_BOOTSTRAP_SUBJECT;
  const proxyUsers = props.proxyUsers ?? [];
  const viaSecretsManager = { 'kms:ViaService': `secretsmanager.${props.region}.amazonaws.com` };
  const job =
    'the database bootstrap Job (docs/runbooks.md, "EKS bootstrap"): aws secretsmanager get-secret-value';
  const secret = (name: string) => `arn:aws:secretsmanager:${props.region}:${props.accountId}:secret:${name}`;
  return new PodIdentityRole(scope, id, {
    roleName: props.naming.name('db-bootstrap'),
    accountId: props.accountId,
    region: props.region,
    clusterName: props.clusterName,
    clusterArn: props.clusterArn,
    namespace,
    serviceAccount,
    statements: [
      ...secretsReadStatements({
        secrets: props.masterSecretArn,
        key: props.secretsKmsKeyArn,
        region: props.region,
        sids: MASTER_SECRET_SIDS,
      }),
      ...proxyCredentialStatements(proxyUsers, props.secretsKmsKeyArn, props.region),
    ],
    contract: {
      purpose:
        'The database bootstrap Job: reads the master secret to give each service its schema and users',
      allow: [
        { action: 'secretsmanager:GetSecretValue', resource: props.masterSecretArn, because: job },
        {
          action: 'kms:Decrypt',
          resource: props.secretsKmsKeyArn,
          context: { ...viaSecretsManager, 'kms:CallerAccount': props.accountId },
          because: `${job} (Secrets Manager decrypts with the secrets key)`,
        },
        ...proxyCredentialRequests(proxyUsers, props.secretsKmsKeyArn, props.region, props.accountId),
      ],
      deny: [
        // The master secret is its job: every other shared denial holds.
        ...podRoleDenies({ ...props, masterSecretArn: undefined }),
        {
          action: 'secretsmanager:GetSecretValue',
          resource: secret(`${props.naming.prefix}-app-AbCdEf`),
          because: 'any other secret of the environment',
        },
        {
          action: 'secretsmanager:PutSecretValue',
          resource: props.masterSecretArn,
          because:
            'Terraform writes the master secret (write-only, on a version bump); the Job only reads it',
        },
        {
          action: 'kms:Decrypt',
          resource: props.secretsKmsKeyArn,
          context: { 'kms:CallerAccount': props.accountId },
          because: 'decrypting outside Secrets Manager (raw ciphertext)',
        },
        {
          action: 'rds:ModifyDBCluster',
          resource: `arn:aws:rds:${props.region}:${props.accountId}:cluster:${props.naming.name('db')}`,
          because: 'the database itself is Terraform’s',
        },
      ],
    },
  });
}
