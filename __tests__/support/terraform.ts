import { App, type TerraformStack } from 'cdktf';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { findTerraform } from '../../scripts/offline';
import { appStackDir, appStackIds } from './app-synth';

/**
 * The terraform binary, or undefined when the suite should be skipped. Under CI a missing binary is
 * a failure: a skipped proof is no proof.
 */
export function terraformOrSkip(): string | undefined {
  const terraform = findTerraform();
  if (terraform) return terraform;
  const message =
    'terraform is not installed: the validate / offline plan / mock apply tests need Terraform 1.11 on PATH ' +
    '(https://developer.hashicorp.com/terraform/install, or set TERRAFORM_BIN).';
  if (process.env.CI) throw new Error(`${message} Failing because CI is set.`);
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPING TERRAFORM TESTS: ${message}\n${'!'.repeat(100)}\n`);
  return undefined;
}

/**
 * The stacks the offline proof checks, id -> directory: every stack the app synthesized in this run
 * (as `cdktf synth` wrote them: support/app-synth.ts), and the `extra` stacks (test variants)
 * synthesized into `outdir`, a fresh directory the caller removes.
 */
export function stacksToCheck(extra: (app: App) => TerraformStack[]): {
  outdir: string;
  stacks: Record<string, string>;
} {
  const outdir = mkdtempSync(join(tmpdir(), 'platform-synth-'));
  const app = new App({ outdir });
  const more = extra(app).map((s) => s.node.id);
  app.synth();
  return {
    outdir,
    stacks: Object.fromEntries([
      ...appStackIds().map((id) => [id, appStackDir(id)]),
      ...more.map((id) => [id, join(outdir, 'stacks', id)]),
    ]),
  };
}

function writeStack(dir: string, json: unknown): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
  return dir;
}

/** A copy of a synthesized stack with every KMS key's rotation off: breaks an invariant. */
export function withoutKeyRotation(stackDir: string, dir: string): string {
  const stack = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
  for (const key of Object.values<{ enable_key_rotation?: boolean }>(stack.resource.aws_kms_key))
    key.enable_key_rotation = false;
  return writeStack(dir, stack);
}

/**
 * A tiny stack the real provider rejects at plan time but no invariant and no mock notices: a
 * DynamoDB attribute no key or index uses (the provider's plan-time check). It keeps the stack's
 * shape (S3 backend, a `dr` alias) so the override files and the alias mapping are exercised.
 */
export function unplannableStack(dir: string): string {
  return writeStack(dir, {
    terraform: {
      required_providers: { aws: { source: 'aws', version: '5.100.0' } },
      backend: { s3: { bucket: 'example', key: 'example.tfstate', region: 'us-east-1' } },
    },
    provider: { aws: [{ region: 'us-east-1' }, { alias: 'dr', region: 'us-west-2' }] },
    resource: {
      aws_dynamodb_table: {
        Table: {
          name: 'example',
          billing_mode: 'PAY_PER_REQUEST',
          hash_key: 'pk',
          attribute: [
            { name: 'pk', type: 'S' },
            { name: 'unused', type: 'S' },
          ],
          point_in_time_recovery: { enabled: true },
          server_side_encryption: { enabled: true },
        },
      },
      aws_sns_topic: { Dr: { provider: 'aws.dr', name: 'example-dr' } },
    },
  });
}

/**
 * Adds to the stack in `dir` a CODE_DEPLOY service whose deployment group has automatic rollback
 * off: the controller-aware invariant "every service rolls back a failed deployment" must fail it.
 * Added to the broken-kms stack, so the check costs no terraform process of its own.
 */
export function withCodeDeployWithoutRollback(dir: string): string {
  const stack = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
  stack.resource.aws_ecs_service = {
    NoRollbackService: {
      name: 'example-backend',
      cluster: 'example',
      deployment_controller: { type: 'CODE_DEPLOY' },
    },
  };
  stack.resource.aws_codedeploy_deployment_group = {
    NoRollbackGroup: {
      app_name: 'example-backend',
      deployment_group_name: 'example-backend',
      service_role_arn: 'arn:aws:iam::111111111111:role/example-codedeploy',
      deployment_style: { deployment_option: 'WITH_TRAFFIC_CONTROL', deployment_type: 'BLUE_GREEN' },
      ecs_service: { cluster_name: 'example', service_name: 'example-backend' },
      auto_rollback_configuration: { enabled: false, events: ['DEPLOYMENT_FAILURE'] },
    },
  };
  return writeStack(dir, stack);
}

/** A literal for a reference the extracted databases make to the rest of their stack. */
function literal(key: string, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => literal(key, v));
  if (typeof value !== 'string' || !value.includes('${') || value.includes('var.db_master_password'))
    return value;
  if (key.endsWith('kms_key_id'))
    return 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555';
  if (key.endsWith('_arn')) return 'arn:aws:iam::111111111111:role/webplat-rds-monitoring';
  if (key === 'vpc_security_group_ids') return 'sg-0123456789abcdef0';
  return 'webplat-db';
}

/**
 * The databases of `stackDirs` (RDS instances other than replicas, Aurora clusters) as this platform
 * synthesizes them, in a stack of their own with `prevent_destroy`, and in `prior/` as they were with
 * an RDS-managed master secret (`manage_master_user_password`). The offline check mock-applies
 * `prior` and plans the stack from that state with the real provider (test-file.ts `priorModule`):
 * it passes only when the move to write-only passwords updates each database in place. `breaking`
 * also renames each database's initial database (`db_name` / `database_name`), which forces a new
 * one: that plan must fail.
 */
export function masterCredentialMigration(
  stackDirs: readonly string[],
  dir: string,
  breaking = false,
): string {
  const databases: Record<string, Record<string, any>> = { aws_db_instance: {}, aws_rds_cluster: {} };
  let variable: unknown;
  for (const stackDir of stackDirs) {
    const stack = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    variable ??= stack.variable?.db_master_password;
    for (const type of Object.keys(databases))
      for (const [name, body] of Object.entries<any>(stack.resource?.[type] ?? {})) {
        if (body.replicate_source_db) continue;
        const copy = Object.fromEntries(
          Object.entries(body)
            .filter(([k]) => !['//', 'depends_on', 'tags'].includes(k))
            .map(([k, v]) => [k, literal(k, v)]),
        );
        databases[type][`${basename(stackDir)}_${name}`] = copy;
      }
  }
  if (!variable) throw new Error('no stack with a db_master_password variable');
  const base = {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } },
    provider: { aws: [{ region: 'us-east-1' }] },
  };
  const rename = (type: string) => (type === 'aws_rds_cluster' ? 'database_name' : 'db_name');
  const current = Object.fromEntries(
    Object.entries(databases).map(([type, byName]) => [
      type,
      Object.fromEntries(
        Object.entries(byName).map(([name, body]) => [
          name,
          {
            ...body,
            ...(breaking ? { [rename(type)]: 'renamed' } : {}),
            lifecycle: { prevent_destroy: true },
          },
        ]),
      ),
    ]),
  );
  const managed = Object.fromEntries(
    Object.entries(databases).map(([type, byName]) => [
      type,
      Object.fromEntries(
        Object.entries(byName).map(([name, body]) => {
          const old = Object.fromEntries(Object.entries(body).filter(([k]) => !/password_wo/.test(k)));
          return [
            name,
            {
              ...old,
              manage_master_user_password: true,
              master_user_secret_kms_key_id: literal('kms_key_id', '${x}'),
            },
          ];
        }),
      ),
    ]),
  );
  writeStack(join(dir, 'prior'), { ...base, resource: managed });
  return writeStack(dir, { ...base, variable: { db_master_password: variable }, resource: current });
}
