/**
 * The generated `terraform test` file of one stack: three runs prove it.
 *
 * - run "plan": `command = plan` against the REAL provider (the stack's provider blocks plus
 *   provider_override.tf.json: mock credentials, no account lookups), no refresh. Terraform
 *   validates the configuration and the provider validates and plans every resource, as
 *   `terraform plan` would.
 * - run "mock_apply": `command = apply` with every provider alias mapped to one `mock_provider`
 *   (`aws = aws.mock`, `aws.dr = aws.mock`, ...: a mock has no region, so one instance serves all),
 *   then the `assert` invariants on the applied values. The mock still uses the real provider's
 *   schema and argument validation.
 * - run "teardown": applies a module without resources to the same state (`state_key`) without
 *   refresh; its `removed { lifecycle { destroy = false } }` blocks forget every resource, so the
 *   state is empty and `terraform test`'s own cleanup has nothing to destroy. Terraform 1.11
 *   cannot skip that cleanup (`skip_cleanup` is 1.12), and its refresh + destroy of a mock-applied
 *   platform stack costs more than this teardown.
 *
 * The stack is either the root module of the work dir, or (`module`) a directory beside the test
 * file that the runs name as their module: then one `terraform test` process runs many stacks' files
 * (batch.ts), each file with its own state. A plan-only use (`realPlan: false`) drops the
 * real-provider run, e.g. when `terraform plan` ran separately to print its changes.
 */
import { MOCK_DATA_DEFAULTS, MOCK_RESOURCE_DEFAULTS } from './mock-defaults';
import { offlineVariableValues, providerAliases, type StackJson } from './stack';

/** The empty module the teardown run applies, relative to the work directory. */
export const TEARDOWN_MODULE = 'teardown';
/** The state key the mock apply and the teardown share. */
const MOCK_STATE = 'mock';

export interface TestFileOptions {
  /** Include the real-provider `run "plan"` (default true). */
  readonly realPlan?: boolean;
  /**
   * The stack's directory relative to where `terraform test` runs (`./platform-dev`); default none:
   * the stack is the root module there.
   */
  readonly module?: string;
  /**
   * A module (relative to the stack's directory, e.g. `prior`) that is mock-applied first into the
   * state the real-provider plan then starts from: the plan proves a change from that state, e.g.
   * that it updates a database in place (with `prevent_destroy` a replacement fails the plan). Such a
   * file has these two runs only. Default: none (the three runs above).
   */
  readonly priorModule?: string;
}

/**
 * An invariant checked after the mock apply over every resource of a type: `r` is the resource.
 * A condition that needs other resources gets them as HCL lists: `all('<type>')` is the list of
 * every resource of that type in the stack (`[]` when there is none).
 */
interface Invariant {
  readonly type: string;
  readonly condition: string | ((all: (type: string) => string) => string);
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
    // Controller-aware: ECS services roll back with the circuit breaker; CODE_DEPLOY services through
    // a deployment group that deploys them with automatic rollback on.
    type: 'aws_ecs_service',
    condition: (all) =>
      [
        'r.deployment_controller[0].type == "CODE_DEPLOY"',
        `? anytrue([for g in ${all('aws_codedeploy_deployment_group')} : g.ecs_service[0].service_name == r.name && g.auto_rollback_configuration[0].enabled && contains(g.auto_rollback_configuration[0].events, "DEPLOYMENT_FAILURE")])`,
        ': try(r.deployment_circuit_breaker[0].enable && r.deployment_circuit_breaker[0].rollback, false)',
      ].join(' '),
    message: 'every service rolls back a failed deployment',
  },
  {
    type: 'aws_subnet',
    condition: '!r.map_public_ip_on_launch',
    message: 'no subnet assigns public IPs',
  },
  {
    type: 'aws_cloudfront_distribution',
    condition:
      'r.viewer_certificate[0].minimum_protocol_version == "TLSv1.2_2021" && r.default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https" && r.web_acl_id != null',
    message: 'every distribution serves HTTPS only, TLS 1.2 (2021) and up, behind a web ACL',
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

/** The one mock provider every alias of the stack maps to in the mock runs. */
const MOCK = 'mock';

function mockProvider(): string {
  const blocks = [
    ...Object.entries(MOCK_DATA_DEFAULTS).map(
      ([t, d]) => `  mock_data "${t}" {\n    defaults = ${hclObject(d)}\n  }`,
    ),
    ...Object.entries(MOCK_RESOURCE_DEFAULTS).map(
      ([t, d]) => `  mock_resource "${t}" {\n    defaults = ${hclObject(d)}\n  }`,
    ),
  ];
  return `mock_provider "aws" {\n  alias = "${MOCK}"\n\n${blocks.join('\n')}\n}`;
}

/** `providers = { aws = aws.mock, aws.dr = aws.mock }` for a run block. */
function mockProviders(aliases: (string | undefined)[]): string {
  const lines = aliases.map((a) => `    ${a ? `aws.${a}` : 'aws'} = aws.${MOCK}`);
  return `  providers = {\n${lines.join('\n')}\n  }`;
}

/** One `assert` per invariant whose resource type the stack has, over all its resources. */
function invariantAsserts(stack: StackJson): string[] {
  return INVARIANTS.flatMap((inv) => {
    const names = Object.keys(stack.resource?.[inv.type] ?? {});
    if (names.length === 0) return [];
    const list = names.map((n) => `${inv.type}.${n}`).join(', ');
    const all = (type: string) =>
      `[${Object.keys(stack.resource?.[type] ?? {})
        .map((n) => `${type}.${n}`)
        .join(', ')}]`;
    const condition = typeof inv.condition === 'string' ? inv.condition : inv.condition(all);
    return [
      `  assert {\n    condition     = alltrue([for r in [${list}] : ${condition}])\n    error_message = ${hcl(`${inv.message} (${names.length} ${inv.type})`)}\n  }`,
    ];
  });
}

const NO_REFRESH = '  plan_options {\n    refresh = false\n  }';

/** `module { source = ... }` of a run, when the stack is not the root module. */
function moduleBlock(source: string | undefined): string[] {
  return source ? [`  module {\n    source = "${source}"\n  }`] : [];
}

/** The dummy values of the stack's variables without a default (stack.ts offlineVariableValues). */
function variablesBlock(stack: StackJson): string[] {
  const values = Object.entries(offlineVariableValues(stack));
  if (values.length === 0) return [];
  return [`  variables {\n${values.map(([k, v]) => `    ${k} = ${hcl(v)}`).join('\n')}\n  }`];
}

/** The run that forgets the state `stateKey` (the empty teardown module's `removed` blocks). */
function teardownRun(stateKey: string, options: TestFileOptions, aliases: (string | undefined)[]): string {
  return [
    'run "teardown" {',
    '  command   = apply',
    `  state_key = "${stateKey}"`,
    ...moduleBlock(`${options.module ?? '.'}/${TEARDOWN_MODULE}`),
    mockProviders(aliases),
    NO_REFRESH,
    '}',
  ].join('\n');
}

/** A change from a prior state: the prior module mock-applied, then the stack planned from it. */
function changeTestFile(stack: StackJson, options: TestFileOptions & { priorModule: string }): string {
  const aliases = providerAliases(stack);
  const runs = [
    [
      'run "prior" {',
      '  command   = apply',
      '  state_key = "change"',
      ...moduleBlock(`${options.module ?? '.'}/${options.priorModule}`),
      mockProviders(aliases),
      '}',
    ].join('\n'),
    [
      'run "plan" {',
      '  command   = plan',
      '  state_key = "change"',
      ...moduleBlock(options.module),
      ...variablesBlock(stack),
      NO_REFRESH,
      '}',
    ].join('\n'),
    // Forgets the state (as the three-run file's teardown does): Terraform's own cleanup would
    // destroy it under the planned configuration, whose prevent_destroy refuses.
    teardownRun('change', options, aliases),
  ];
  return `${mockProvider()}\n\n${runs.join('\n\n')}\n`;
}

/** The test file for one stack: see the top of this file. */
export function offlineTestFile(stack: StackJson, options: TestFileOptions = {}): string {
  const { priorModule } = options;
  if (priorModule) return changeTestFile(stack, { ...options, priorModule });
  const aliases = providerAliases(stack);
  const stackModule = moduleBlock(options.module);
  const runs = [
    ...(options.realPlan === false
      ? []
      : [
          [
            'run "plan" {',
            '  command = plan',
            ...stackModule,
            ...variablesBlock(stack),
            NO_REFRESH,
            '}',
          ].join('\n'),
        ]),
    [
      'run "mock_apply" {',
      '  command   = apply',
      `  state_key = "${MOCK_STATE}"`,
      ...stackModule,
      ...variablesBlock(stack),
      mockProviders(aliases),
      '',
      ...invariantAsserts(stack).flatMap((a) => [a, '']),
      '}',
    ].join('\n'),
    teardownRun(MOCK_STATE, options, aliases),
  ];
  return `${mockProvider()}\n\n${runs.join('\n\n')}\n`;
}
