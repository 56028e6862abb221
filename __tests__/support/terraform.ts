import { App, type TerraformStack } from 'cdktf';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
