import { AWS_CLI_IMAGE } from '../../../environments/rules';
import {
  proxyCredentialEnvironment,
  proxyCredentialScript,
  psqlPasswordArguments,
} from '../../core/proxy-credentials';
import type { DatabaseBootstrap, ProxyUserCredential } from '../../core/service-bindings';
import { DATABASE_BOOTSTRAP_SUBJECT } from './database-bootstrap-role';

/** Where the init container leaves the master secret for the client: a memory-backed volume. */
const CREDENTIAL_DIR = '/credential';

/** Shell of the client container: username and password out of the secret JSON, then the SQL. */
function clientScript(engine: string, users: readonly ProxyUserCredential[]): string {
  const field = (name: string) =>
    `sed -n 's/.*"${name}":"\\([^"]*\\)".*/\\1/p' ${CREDENTIAL_DIR}/secret.json`;
  const login = [`DB_USERNAME=$(${field('username')})`, `DB_PASSWORD=$(${field('password')})`];
  const client =
    engine === 'mysql'
      ? 'MYSQL_PWD="$DB_PASSWORD" mysql --ssl-mode=REQUIRED -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USERNAME" "$DB_NAME"'
      : `PGPASSWORD="$DB_PASSWORD" PGUSER="$DB_USERNAME" psql "host=$DB_HOST port=$DB_PORT dbname=$DB_NAME sslmode=require" -v ON_ERROR_STOP=1${psqlPasswordArguments(users, CREDENTIAL_DIR)} -f -`;
  // A secret edited by hand into another shape parses to nothing: stop rather than sign in as no one.
  const check =
    '[ -n "$DB_USERNAME" ] && [ -n "$DB_PASSWORD" ] || { echo "the master secret has no username or password" >&2; exit 1; }';
  return ['set -eu', ...login, check, `printf '%s\\n' "$BOOTSTRAP_SQL" | ${client}`].join('\n');
}

const hardened = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

/**
 * The Kubernetes Job that runs the platform's database bootstrap on EKS (docs/runbooks.md, "EKS
 * bootstrap"), as the `eks_bootstrap` output carries it (`kubectl apply -f`): in the `platform`
 * namespace, as the `db-bootstrap` service account, whose Pod Identity role alone reads the master
 * secret. An init container (the AWS CLI, by digest) reads the secret into a memory-backed volume;
 * the SQL client (by digest, `database.bootstrapImage`) runs the generated SQL as the master user.
 * Both images are pinned by digest; nothing of the credential is in the manifest.
 */
export function databaseBootstrapJob(db: DatabaseBootstrap, region: string): Record<string, unknown> {
  const { namespace, serviceAccount } = DATABASE_BOOTSTRAP_SUBJECT;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'db-bootstrap', namespace, labels: { 'app.kubernetes.io/name': 'db-bootstrap' } },
    spec: {
      backoffLimit: 2,
      ttlSecondsAfterFinished: 86400,
      template: {
        spec: {
          serviceAccountName: serviceAccount,
          restartPolicy: 'Never',
          // Admitted by the Pod Security Standard `restricted`: nobody, the runtime's seccomp profile.
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            runAsGroup: 65534,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          volumes: [{ name: 'credential', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }],
          initContainers: [
            {
              name: 'read-master-secret',
              image: AWS_CLI_IMAGE,
              command: ['sh', '-c'],
              args: [
                [
                  `aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$SECRET_ARN" --query SecretString --output text > ${CREDENTIAL_DIR}/secret.json`,
                  ...(db.proxyUsers.length > 0 ? [proxyCredentialScript(db.proxyUsers, CREDENTIAL_DIR)] : []),
                ].join('\n'),
              ],
              env: [
                ...proxyCredentialEnvironment(db.proxyUsers, region),
                { name: 'SECRET_ARN', value: db.masterSecretArn },
              ],
              volumeMounts: [{ name: 'credential', mountPath: CREDENTIAL_DIR }],
              securityContext: hardened,
            },
          ],
          containers: [
            {
              name: 'bootstrap',
              image: db.image,
              command: ['sh', '-c'],
              args: [clientScript(db.engine, db.proxyUsers)],
              env: [
                { name: 'DB_HOST', value: db.endpoint },
                { name: 'DB_PORT', value: String(db.port) },
                { name: 'DB_NAME', value: db.databaseName },
                { name: 'BOOTSTRAP_SQL', value: db.sql },
              ],
              volumeMounts: [{ name: 'credential', mountPath: CREDENTIAL_DIR, readOnly: true }],
              securityContext: hardened,
            },
          ],
        },
      },
    },
  };
}
