/**
 * The passwords RDS Proxy signs in with (docs/architecture.md, "Database proxy"): one secret per
 * proxied runtime user (`{"username", "password"}`, constructs/data/database-proxy.ts), which
 * Terraform creates without a value. The platform bootstrap (ECS task or EKS Job) fills them: an AWS
 * CLI step reads each secret, generates a password the first time (Secrets Manager's
 * GetRandomPassword) and writes it, then leaves it in a file for the SQL client, which sets it as the
 * user's password (database-identities.ts, a psql variable). The password is in no plan, state,
 * task definition or manifest; a second run reuses it.
 */
import type { PolicyStatement } from './iam';
import type { ContractRequest } from './role-contract';
import type { ProxyUserCredential } from './service-bindings';

/** The environment variable carrying a user's secret ARN into the credential step. */
export const secretVariable = (user: string) => `PROXY_SECRET_${user.toUpperCase()}`;

/**
 * The AWS CLI step (sh): for each user, the password its secret holds, or a new one written to it;
 * each into `<dir>/<user>`. Anything but "no value yet" (ResourceNotFoundException) stops the
 * bootstrap: no password is replaced because of a denied or failed read.
 */
export function proxyCredentialScript(users: readonly ProxyUserCredential[], dir: string): string {
  const perUser = users.flatMap(({ user }) => [
    `secret="$${secretVariable(user)}"`,
    'if out=$(aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$secret" --query SecretString --output text 2>&1); then',
    `  pw=$(printf '%s' "$out" | sed -n 's/.*"password":"\\([A-Za-z0-9]*\\)".*/\\1/p')`,
    `  [ -n "$pw" ] || { echo "the proxy secret of ${user} holds no password of letters and digits" >&2; exit 1; }`,
    'else',
    `  case "$out" in *ResourceNotFoundException*) ;; *) echo "$out" >&2; exit 1 ;; esac`,
    '  pw=$(aws secretsmanager get-random-password --region "$AWS_REGION" --password-length 40 --exclude-punctuation --require-each-included-type --query RandomPassword --output text)',
    `  aws secretsmanager put-secret-value --region "$AWS_REGION" --secret-id "$secret" --secret-string "{\\"username\\":\\"${user}\\",\\"password\\":\\"$pw\\"}" >/dev/null`,
    `  echo "generated the proxy password of ${user}"`,
    'fi',
    `printf '%s' "$pw" > ${dir}/${user}`,
  ]);
  return ['set -eu', ...perUser].join('\n');
}

/** The environment of the credential step: the region and each user's secret ARN. */
export function proxyCredentialEnvironment(
  users: readonly ProxyUserCredential[],
  region: string,
): { name: string; value: string }[] {
  return [
    { name: 'AWS_REGION', value: region },
    ...users.map((u) => ({ name: secretVariable(u.user), value: u.secretArn })),
  ];
}

/** The psql arguments passing each password file in as its variable (`-v name="$(cat file)"`). */
export function psqlPasswordArguments(users: readonly ProxyUserCredential[], dir: string): string {
  return users.map((u) => ` -v ${u.passwordVariable}="$(cat ${dir}/${u.user})"`).join('');
}

/** What the bootstrap's role may do with the proxy secrets: read, write, encrypt and decrypt them. */
export function proxyCredentialStatements(
  users: readonly ProxyUserCredential[],
  key: string,
  region: string,
): PolicyStatement[] {
  if (users.length === 0) return [];
  return [
    {
      Sid: 'FillProxySecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      Resource: users.map((u) => u.secretArn),
    },
    // No resource: the call generates a string and touches no secret.
    { Sid: 'GeneratePasswords', Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
    {
      Sid: 'EncryptProxySecrets',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: key,
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
    },
  ];
}

/** The requests of the credential step (must-allow), for the bootstrap role's contract. */
export function proxyCredentialRequests(
  users: readonly ProxyUserCredential[],
  key: string,
  region: string,
  accountId: string,
): ContractRequest[] {
  const step = 'the bootstrap fills the proxy secrets (core/proxy-credentials.ts)';
  const via = { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com`, 'kms:CallerAccount': accountId };
  return [
    ...users.flatMap((u) =>
      ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'].map((action) => ({
        action,
        resource: u.secretArn,
        because: `${step}: ${u.user}`,
      })),
    ),
    ...(users.length > 0
      ? [
          { action: 'secretsmanager:GetRandomPassword', resource: '*', because: `${step}: a new password` },
          ...['kms:Decrypt', 'kms:GenerateDataKey'].map((action) => ({
            action,
            resource: key,
            context: via,
            because: `${step}: Secrets Manager encrypts and decrypts them with the secrets key`,
          })),
        ]
      : []),
  ];
}
