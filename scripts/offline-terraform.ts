/**
 * Proves a synthesized stack against the real AWS provider with no AWS account and no network
 * (DESIGN.md, "Known traps"):
 *
 * 1. copy the stack to its own directory and add `*_override.tf.json` files: a local backend and, per
 *    provider alias, mock credentials with every account/credential lookup skipped;
 * 2. `terraform init` (from the provider mirror with `-plugin-dir` when there is one, else from the
 *    registry with a plugin cache);
 * 3. `terraform plan -refresh=false -lock=false` (plan includes validation);
 * 4. `terraform test` with `mock_provider "aws"`: applies the stack against a mocked provider (the
 *    provider still validates every argument) and checks `assert` blocks for invariants that matter.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const DEFAULT_PLUGIN_MIRROR = '/opt/tf-plugins';
/** The provider version @cdktf/provider-aws 20.1.0 is generated for. */
export const AWS_PROVIDER_VERSION = '5.100.0';

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

interface StackJson {
  provider?: Record<string, Array<{ alias?: string }>>;
  resource?: Record<string, Record<string, unknown>>;
  output?: Record<string, unknown>;
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

function providerAliases(stack: StackJson): (string | undefined)[] {
  return (stack.provider?.aws ?? [{}]).map((p) => p.alias);
}

/** Copies the stack into `workDir` and writes the override files. */
export function prepareWorkDir(stackDir: string, workDir: string): StackJson {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  cpSync(stackDir, workDir, {
    recursive: true,
    filter: (src) => !src.includes(`${join(stackDir, '.terraform')}`),
  });
  const stack = JSON.parse(readFileSync(join(workDir, 'cdk.tf.json'), 'utf8')) as StackJson;
  writeFileSync(
    join(workDir, 'backend_override.tf.json'),
    JSON.stringify({ terraform: { backend: { local: { path: 'terraform.tfstate' } } } }, null, 2),
  );
  writeFileSync(
    join(workDir, 'provider_override.tf.json'),
    JSON.stringify(
      {
        provider: {
          aws: providerAliases(stack).map((alias) => ({
            ...(alias ? { alias } : {}),
            ...MOCK_PROVIDER_SETTINGS,
          })),
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(join(workDir, 'mock_apply.tftest.hcl'), mockApplyTest(stack));
  return stack;
}

// ---------------------------------------------------------------------------------------------
// terraform test file
// ---------------------------------------------------------------------------------------------

const ACCOUNT = '111111111111';
const ARN = (service: string, resource: string, region = 'us-east-1') =>
  `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;

/**
 * Defaults for computed values the mock would otherwise fill with random strings where the provider
 * validates them (ARNs fed into other resources' arguments, JSON documents, nested blocks).
 */
const MOCK_RESOURCE_DEFAULTS: Record<string, Record<string, unknown>> = {
  aws_iam_role: { arn: `arn:aws:iam::${ACCOUNT}:role/mock` },
  aws_iam_policy: { arn: `arn:aws:iam::${ACCOUNT}:policy/mock` },
  aws_iam_instance_profile: { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/mock` },
  aws_iam_openid_connect_provider: {
    arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
  },
  aws_kms_key: {
    arn: ARN('kms', 'key/00000000-0000-0000-0000-000000000000'),
    key_id: '00000000-0000-0000-0000-000000000000',
  },
  aws_s3_bucket: {
    arn: 'arn:aws:s3:::mock-bucket',
    bucket_regional_domain_name: 'mock-bucket.s3.us-east-1.amazonaws.com',
  },
  aws_cloudwatch_log_group: { arn: ARN('logs', 'log-group:mock') },
  aws_sns_topic: { arn: ARN('sns', 'mock-topic') },
  aws_sqs_queue: { arn: ARN('sqs', 'mock-queue') },
  aws_lb: {
    arn: ARN('elasticloadbalancing', 'loadbalancer/app/mock/0123456789abcdef'),
    arn_suffix: 'app/mock/0123456789abcdef',
    zone_id: 'Z35SXDOTRQ7X7K',
    dns_name: 'mock-123.us-east-1.elb.amazonaws.com',
  },
  aws_lb_target_group: {
    arn: ARN('elasticloadbalancing', 'targetgroup/mock/0123456789abcdef'),
    arn_suffix: 'targetgroup/mock/0123456789abcdef',
  },
  aws_lb_listener: {
    arn: ARN('elasticloadbalancing', 'listener/app/mock/0123456789abcdef/0123456789abcdef'),
  },
  aws_acm_certificate: {
    arn: ARN('acm', 'certificate/00000000-0000-0000-0000-000000000000'),
    domain_validation_options: [
      {
        domain_name: 'example.com',
        resource_record_name: '_x.example.com.',
        resource_record_type: 'CNAME',
        resource_record_value: '_y.acm-validations.aws.',
      },
    ],
  },
  aws_acm_certificate_validation: {
    certificate_arn: ARN('acm', 'certificate/00000000-0000-0000-0000-000000000000'),
  },
  aws_wafv2_web_acl: { arn: ARN('wafv2', 'regional/webacl/mock/00000000-0000-0000-0000-000000000000') },
  aws_ecs_cluster: { arn: ARN('ecs', 'cluster/mock') },
  aws_ecs_task_definition: {
    arn: ARN('ecs', 'task-definition/mock:1'),
    arn_without_revision: ARN('ecs', 'task-definition/mock'),
  },
  aws_ecs_service: { id: ARN('ecs', 'service/mock/mock') },
  aws_ecr_repository: {
    arn: ARN('ecr', 'repository/mock'),
    repository_url: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/mock`,
  },
  aws_secretsmanager_secret: { arn: ARN('secretsmanager', 'secret:mock-AbCdEf') },
  aws_dynamodb_table: { arn: ARN('dynamodb', 'table/mock') },
  aws_db_instance: {
    arn: ARN('rds', 'db:mock'),
    master_user_secret: [
      {
        kms_key_id: 'mock',
        secret_arn: ARN('secretsmanager', 'secret:rds!db-mock-AbCdEf'),
        secret_status: 'active',
      },
    ],
  },
  aws_rds_cluster: {
    arn: ARN('rds', 'cluster:mock'),
    master_user_secret: [
      {
        kms_key_id: 'mock',
        secret_arn: ARN('secretsmanager', 'secret:rds!cluster-mock-AbCdEf'),
        secret_status: 'active',
      },
    ],
  },
  aws_elasticache_replication_group: { arn: ARN('elasticache', 'replicationgroup:mock') },
  aws_cloudtrail: { arn: ARN('cloudtrail', 'trail/mock') },
  aws_backup_vault: { arn: ARN('backup', 'backup-vault:mock') },
  aws_lambda_function: {
    arn: ARN('lambda', 'function:mock'),
    invoke_arn: 'arn:aws:apigateway:us-east-1:lambda:path/mock',
  },
  aws_route53_zone: { zone_id: 'Z0123456789MOCK', name_servers: ['ns-1.awsdns-00.org'] },
  aws_launch_template: { id: 'lt-0123456789abcdef0' },
  aws_vpc: {
    id: 'vpc-0123456789abcdef0',
    ipv6_cidr_block: '2600:1f18:1234:5600::/56',
    default_network_acl_id: 'acl-0123456789abcdef0',
  },
  aws_config_configuration_recorder: { id: 'default' },
};

const MOCK_DATA_DEFAULTS: Record<string, Record<string, unknown>> = {
  aws_iam_policy_document: { json: '{"Version":"2012-10-17","Statement":[]}' },
  aws_partition: { partition: 'aws', dns_suffix: 'amazonaws.com' },
  aws_region: { name: 'us-east-1' },
};

/** An invariant checked after the mock apply over every resource of a type: `r` is the resource. */
interface Invariant {
  readonly type: string;
  readonly condition: string;
  readonly message: string;
}

const INVARIANTS: readonly Invariant[] = [
  { type: 'aws_kms_key', condition: 'r.enable_key_rotation', message: 'every KMS key rotates' },
  {
    type: 'aws_s3_bucket_public_access_block',
    condition:
      'r.block_public_acls && r.block_public_policy && r.ignore_public_acls && r.restrict_public_buckets',
    message: 'every bucket blocks all public access',
  },
  {
    type: 'aws_s3_bucket_ownership_controls',
    condition: 'r.rule[0].object_ownership == "BucketOwnerEnforced"',
    message: 'every bucket disables ACLs',
  },
  {
    type: 'aws_dynamodb_table',
    condition: 'r.point_in_time_recovery[0].enabled && r.server_side_encryption[0].enabled',
    message: 'every table has point-in-time recovery and KMS encryption',
  },
  {
    type: 'aws_cloudwatch_log_group',
    condition: 'r.retention_in_days > 0',
    message: 'every log group expires its logs',
  },
  { type: 'aws_db_instance', condition: 'r.storage_encrypted', message: 'every database is encrypted' },
  { type: 'aws_rds_cluster', condition: 'r.storage_encrypted', message: 'every Aurora cluster is encrypted' },
  {
    type: 'aws_elasticache_replication_group',
    condition: 'r.at_rest_encryption_enabled && r.transit_encryption_enabled',
    message: 'every cache encrypts at rest and in transit',
  },
  {
    type: 'aws_ecs_service',
    condition: 'r.deployment_circuit_breaker[0].enable && r.deployment_circuit_breaker[0].rollback',
    message: 'every service rolls back a failed deployment',
  },
  {
    type: 'aws_subnet',
    condition: '!r.map_public_ip_on_launch',
    message: 'no subnet assigns public IPs',
  },
];

function hcl(value: unknown): string {
  // JSON is valid HCL for these values once interpolation markers are escaped.
  return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

function hclObject(value: Record<string, unknown>): string {
  const lines = Object.entries(value).map(([k, v]) => `      ${k} = ${hcl(v)}`);
  return `{\n${lines.join('\n')}\n    }`;
}

/** The `terraform test` file: mock provider(s) with defaults, one apply run, the invariants. */
export function mockApplyTest(stack: StackJson): string {
  const mocks = providerAliases(stack).map((alias) => {
    const blocks = [
      ...Object.entries(MOCK_DATA_DEFAULTS).map(
        ([t, d]) => `  mock_data "${t}" {\n    defaults = ${hclObject(d)}\n  }`,
      ),
      ...Object.entries(MOCK_RESOURCE_DEFAULTS).map(
        ([t, d]) => `  mock_resource "${t}" {\n    defaults = ${hclObject(d)}\n  }`,
      ),
    ];
    return `mock_provider "aws" {\n${alias ? `  alias = "${alias}"\n` : ''}${blocks.join('\n')}\n}`;
  });
  const asserts = INVARIANTS.flatMap((inv) => {
    const names = Object.keys(stack.resource?.[inv.type] ?? {});
    if (names.length === 0) return [];
    const list = names.map((n) => `${inv.type}.${n}`).join(', ');
    return [
      `  assert {\n    condition     = alltrue([for r in [${list}] : ${inv.condition}])\n    error_message = ${hcl(`${inv.message} (${names.length} ${inv.type})`)}\n  }`,
    ];
  });
  return `${mocks.join('\n\n')}\n\nrun "mock_apply" {\n  command = apply\n\n${asserts.join('\n\n')}\n}\n`;
}

// ---------------------------------------------------------------------------------------------
// Running terraform
// ---------------------------------------------------------------------------------------------

function providerCacheDir(): string {
  return pluginDir()
    ? join(tmpdir(), 'platform-tf-provider-cache')
    : join(process.env.HOME ?? tmpdir(), '.terraform.d', 'plugin-cache');
}

/**
 * Fills the provider cache once, before stacks are initialized in parallel (Terraform's cache is
 * not safe for concurrent first installs).
 */
export async function warmProviderCache(terraform: string): Promise<void> {
  const dir = join(tmpdir(), `platform-tf-warm-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'main.tf.json'),
    JSON.stringify({
      terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION } } },
    }),
  );
  const plugins = pluginDir();
  const result = await run(
    terraform,
    ['init', '-input=false', '-no-color', ...(plugins ? [`-plugin-dir=${plugins}`] : [])],
    dir,
  );
  rmSync(dir, { recursive: true, force: true });
  if (result.code !== 0) throw new Error(`provider cache: ${result.command} failed:\n${result.output}`);
}

export interface CommandResult {
  readonly command: string;
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

function run(terraform: string, args: string[], cwd: string): Promise<CommandResult> {
  const started = Date.now();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
  };
  // Terraform and the provider are Go programs that allocate heavily while loading the AWS schema:
  // collecting garbage less often cuts their CPU time by a sixth (measured here) at no risk.
  env.GOGC ??= '400';
  // A CLI config variable naming a missing file only adds a warning to every command's output.
  if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;
  // One provider cache for every stack: without a mirror (e.g. a GitHub runner) it downloads once;
  // with one, each stack links the ~700 MB provider instead of copying it.
  env.TF_PLUGIN_CACHE_DIR ??= providerCacheDir();
  mkdirSync(env.TF_PLUGIN_CACHE_DIR, { recursive: true });
  return new Promise((resolve) => {
    execFile(terraform, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({
        command: `terraform ${args.join(' ')}`,
        code,
        output: `${stdout}${stderr}`,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

export interface StackCheck {
  readonly stack: string;
  readonly ok: boolean;
  readonly steps: readonly CommandResult[];
  /** The failing step's command and output, for test messages. */
  readonly failure?: string;
}

/** init + plan (+ mock apply) of one synthesized stack in its own work dir. */
export async function checkStack(
  terraform: string,
  stack: string,
  stackDir: string,
  workDir: string,
  options: { plan?: boolean; mockApply?: boolean } = {},
): Promise<StackCheck> {
  prepareWorkDir(stackDir, workDir);
  const dir = pluginDir();
  const steps: CommandResult[] = [];
  const sequence: string[][] = [
    ['init', '-input=false', '-no-color', ...(dir ? [`-plugin-dir=${dir}`] : [])],
    ...(options.plan === false
      ? []
      : [['plan', '-refresh=false', '-lock=false', '-input=false', '-no-color', '-out=offline.tfplan']]),
    ...(options.mockApply === false ? [] : [['test', '-no-color']]),
  ];
  for (const args of sequence) {
    const result = await run(terraform, args, workDir);
    steps.push(result);
    if (result.code !== 0) {
      return {
        stack,
        ok: false,
        steps,
        failure: `${stack}: ${result.command} failed (exit ${result.code}):\n${result.output}`,
      };
    }
  }
  return { stack, ok: true, steps };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}
