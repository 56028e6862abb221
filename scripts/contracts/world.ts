/**
 * The IAM world of the synthesized stacks, as the role-contract evaluation reads it: every role with
 * its trust, permissions boundary, inline and attached policies and its declared contract, and the
 * resource policies of the stores those roles reach. Terraform references (`${aws_s3_bucket.X.arn}`)
 * are replaced by the values the resource will have: from its own arguments where AWS derives them
 * (a bucket ARN from its name, a role ARN from its name), otherwise by a stable made-up id per
 * resource (a KMS key id, a Cognito pool id), so two resources never share a value and a contract
 * resolves to the same strings as the policies it is checked against.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */
import { createHash } from 'node:crypto';
import type { RoleContract } from '../../constructs/core/role-contract';

export type PolicyDocument = { Version?: string; Statement: any[] };

/** One synthesized stack's raw JSON (with its `//` comments), by stack id. */
export type RawStacks = Readonly<Record<string, any>>;

export interface AttachedManagedPolicy {
  /** `AmazonEKSWorkerNodePolicy` for `arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy`. */
  readonly name: string;
  readonly arn: string;
}

export interface WorldRole {
  readonly stack: string;
  /** `aws_iam_role.<logical id>` */
  readonly address: string;
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly trust: PolicyDocument;
  readonly boundary?: { readonly name: string; readonly document: PolicyDocument };
  /** Inline policies and attached customer managed policies, by name. */
  readonly policies: ReadonlyArray<{ readonly name: string; readonly document: PolicyDocument }>;
  readonly managed: readonly AttachedManagedPolicy[];
  readonly contract?: RoleContract;
}

export interface World {
  readonly roles: readonly WorldRole[];
  /** The policy of the resource an ARN names (bucket, key, queue, topic, secret, repository, role trust), if it has one. */
  resourcePolicyOf(arn: string): PolicyDocument | undefined;
  /** The account owning the resource an ARN names, where the ARN has none (S3) and the world knows it. */
  accountOf(arn: string): string | undefined;
}

const REF = /\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+(?:\[\d+\]\.[a-z0-9_]+)?)\}/g;
const DATA_REF = /\$\{data\.([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}/g;

const hex = (seed: string, length: number) =>
  createHash('sha256').update(seed).digest('hex').slice(0, length);
const uuid = (seed: string) => {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

interface StackContext {
  readonly id: string;
  readonly json: any;
  readonly account: string;
  /** Region per provider reference (`aws` and `aws.<alias>`). */
  readonly regions: Readonly<Record<string, string>>;
}

function stackContext(id: string, json: any): StackContext {
  const providers: any[] = json.provider?.aws ?? [];
  const regions: Record<string, string> = {};
  let account = '';
  for (const p of providers) {
    regions[p.alias ? `aws.${p.alias}` : 'aws'] = p.region;
    account ||= p.allowed_account_ids?.[0] ?? '';
  }
  if (!account) throw new Error(`${id}: no provider pins allowed_account_ids`);
  return { id, json, account, regions };
}

type Attributes = (body: any, at: Location) => Record<string, string>;
interface Location {
  readonly account: string;
  readonly region: string;
  /** A stable seed for made-up ids: `<stack>/<type>.<logical id>`. */
  readonly seed: string;
  /** Resolves the references in another argument of the same resource. */
  readonly value: (v: unknown) => string;
}

const arn = (service: string, at: Location, resource: string, region = at.region, account = at.account) =>
  `arn:aws:${service}:${region}:${account}:${resource}`;

/**
 * What AWS derives for each attribute the platform's policies and contracts reference. A reference
 * to a type or attribute missing here fails the evaluation with its name: add it here.
 */
const ATTRIBUTES: Record<string, Attributes> = {
  aws_iam_role: (b, at) => ({
    name: at.value(b.name),
    id: at.value(b.name),
    arn: `arn:aws:iam::${at.account}:role/${at.value(b.name)}`,
  }),
  aws_iam_policy: (b, at) => ({
    name: at.value(b.name),
    arn: `arn:aws:iam::${at.account}:policy${b.path ?? '/'}${at.value(b.name)}`,
  }),
  aws_iam_instance_profile: (b, at) => ({
    name: at.value(b.name),
    arn: `arn:aws:iam::${at.account}:instance-profile/${at.value(b.name)}`,
  }),
  aws_iam_openid_connect_provider: (b, at) => ({
    arn: `arn:aws:iam::${at.account}:oidc-provider/${at.value(b.url).replace(/^https:\/\//, '')}`,
  }),
  aws_s3_bucket: (b, at) => ({
    id: at.value(b.bucket),
    bucket: at.value(b.bucket),
    arn: `arn:aws:s3:::${at.value(b.bucket)}`,
  }),
  aws_sns_topic: (b, at) => ({ arn: arn('sns', at, at.value(b.name)), id: arn('sns', at, at.value(b.name)) }),
  aws_sqs_queue: (b, at) => ({
    arn: arn('sqs', at, at.value(b.name)),
    url: `https://sqs.${at.region}.amazonaws.com/${at.account}/${at.value(b.name)}`,
    name: at.value(b.name),
  }),
  aws_cloudwatch_log_group: (b, at) => ({
    arn: arn('logs', at, `log-group:${at.value(b.name)}`),
    name: at.value(b.name),
  }),
  aws_kms_key: (_b, at) => ({
    arn: arn('kms', at, `key/${uuid(at.seed)}`),
    key_id: uuid(at.seed),
    id: uuid(at.seed),
  }),
  aws_db_instance: (b, at) => ({
    arn: arn('rds', at, `db:${at.value(b.identifier)}`),
    identifier: at.value(b.identifier),
    resource_id: `db-${hex(at.seed, 26).toUpperCase()}`,
    'master_user_secret[0].secret_arn': arn('secretsmanager', at, `secret:rds!db-${uuid(at.seed)}-AbCdEf`),
  }),
  aws_rds_cluster: (b, at) => ({
    arn: arn('rds', at, `cluster:${at.value(b.cluster_identifier)}`),
    cluster_resource_id: `cluster-${hex(at.seed, 26).toUpperCase()}`,
    'master_user_secret[0].secret_arn': arn(
      'secretsmanager',
      at,
      `secret:rds!cluster-${uuid(at.seed)}-AbCdEf`,
    ),
  }),
  aws_secretsmanager_secret: (b, at) => ({
    arn: arn('secretsmanager', at, `secret:${at.value(b.name)}-AbCdEf`),
    id: arn('secretsmanager', at, `secret:${at.value(b.name)}-AbCdEf`),
  }),
  aws_elasticache_replication_group: (b, at) => ({
    arn: arn('elasticache', at, `replicationgroup:${at.value(b.replication_group_id)}`),
  }),
  aws_elasticache_user: (b, at) => ({ arn: arn('elasticache', at, `user:${at.value(b.user_id)}`) }),
  aws_dynamodb_table: (b, at) => ({
    arn: arn('dynamodb', at, `table/${at.value(b.name)}`),
    // The stream's label is a timestamp AWS picks when the stream is enabled.
    stream_arn: arn('dynamodb', at, `table/${at.value(b.name)}/stream/2026-01-01T00:00:00.000`),
    name: at.value(b.name),
    id: at.value(b.name),
  }),
  aws_ecr_repository: (b, at) => ({
    arn: arn('ecr', at, `repository/${at.value(b.name)}`),
    name: at.value(b.name),
  }),
  aws_lambda_function: (b, at) => ({
    function_name: at.value(b.function_name),
    arn: arn('lambda', at, `function:${at.value(b.function_name)}`),
  }),
  aws_cognito_user_pool: (_b, at) => ({
    id: `${at.region}_${hex(at.seed, 9)}`,
    arn: arn('cognito-idp', at, `userpool/${at.region}_${hex(at.seed, 9)}`),
  }),
  aws_cognito_identity_pool: (_b, at) => ({ id: `${at.region}:${uuid(at.seed)}` }),
  aws_eks_cluster: (b, at) => ({
    name: at.value(b.name),
    id: at.value(b.name),
    arn: arn('eks', at, `cluster/${at.value(b.name)}`),
  }),
  aws_route53_zone: (b, at) => ({
    zone_id: `Z${hex(at.seed, 13).toUpperCase()}`,
    arn: `arn:aws:route53:::hostedzone/Z${hex(at.seed, 13).toUpperCase()}`,
    name: at.value(b.name),
  }),
  aws_msk_cluster: (b, at) => ({
    cluster_uuid: `${uuid(at.seed)}-1`,
    arn: arn('kafka', at, `cluster/${at.value(b.cluster_name)}/${uuid(at.seed)}-1`),
  }),
  aws_msk_serverless_cluster: (b, at) => ({
    cluster_uuid: `${uuid(at.seed)}-s1`,
    arn: arn('kafka', at, `cluster/${at.value(b.cluster_name)}/${uuid(at.seed)}-s1`),
  }),
  aws_cloudfront_distribution: (_b, at) => ({
    arn: `arn:aws:cloudfront::${at.account}:distribution/E${hex(at.seed, 13).toUpperCase()}`,
  }),
  aws_ecs_cluster: (b, at) => ({
    name: at.value(b.name),
    arn: arn('ecs', at, `cluster/${at.value(b.name)}`),
    id: arn('ecs', at, `cluster/${at.value(b.name)}`),
  }),
  aws_ecs_service: (b, at) => {
    const cluster = at.value(b.cluster).replace(/^.*:cluster\//, '');
    const service = arn('ecs', at, `service/${cluster}/${at.value(b.name)}`);
    return { id: service, arn: service, name: at.value(b.name) };
  },
  aws_lb: (b, at) => ({
    arn: arn('elasticloadbalancing', at, `loadbalancer/app/${at.value(b.name)}/${hex(at.seed, 16)}`),
  }),
  aws_lb_listener: (b, at) => {
    const lb = at.value(b.load_balancer_arn).replace(/^.*:loadbalancer\//, '');
    return { arn: arn('elasticloadbalancing', at, `listener/${lb}/${hex(at.seed, 16)}`) };
  },
  aws_lb_listener_rule: (b, at) => {
    const listener = at.value(b.listener_arn).replace(/^.*:listener\//, '');
    return { arn: arn('elasticloadbalancing', at, `listener-rule/${listener}/${hex(at.seed, 16)}`) };
  },
  aws_lb_target_group: (b, at) => ({
    arn: arn('elasticloadbalancing', at, `targetgroup/${at.value(b.name)}/${hex(at.seed, 16)}`),
  }),
  aws_network_interface: (_b, at) => ({ id: `eni-${hex(at.seed, 17)}` }),
  aws_codedeploy_app: (b, at) => ({ name: at.value(b.name) }),
  aws_backup_vault: (b, at) => ({
    name: at.value(b.name),
    arn: arn('backup', at, `backup-vault:${at.value(b.name)}`),
  }),
};

/** `data.<type>` attributes (AWS's own values). */
const DATA_ATTRIBUTES: Record<string, (at: Location) => Record<string, string>> = {
  // The ELB service account of us-east-1 (Elastic Load Balancing user guide, "Enable access logs").
  aws_elb_service_account: () => ({ arn: 'arn:aws:iam::127311923021:root' }),
  aws_caller_identity: (at) => ({ account_id: at.account }),
  aws_region: (at) => ({ name: at.region, id: at.region }),
  aws_partition: () => ({ partition: 'aws' }),
};

class Resolver {
  private readonly cache = new Map<string, Record<string, string>>();
  private readonly active = new Set<string>();
  constructor(private readonly stack: StackContext) {}

  /** A string with every reference replaced by its value. */
  value(v: unknown): string {
    if (typeof v !== 'string')
      throw new Error(`${this.stack.id}: expected a string, got ${JSON.stringify(v)}`);
    const replaced = v
      .replace(DATA_REF, (_m, type: string, id: string, attr: string) => this.dataAttribute(type, id, attr))
      .replace(REF, (_m, type: string, id: string, attr: string) => this.attribute(type, id, attr));
    if (replaced.includes('${'))
      throw new Error(`${this.stack.id}: cannot resolve ${replaced.match(/\$\{[^}]*\}/)?.[0]}`);
    return replaced;
  }

  attribute(type: string, id: string, attr: string): string {
    const key = `${type}.${id}`;
    let attrs = this.cache.get(key);
    if (!attrs) {
      const body = this.stack.json.resource?.[type]?.[id];
      const model = ATTRIBUTES[type];
      if (!body) throw new Error(`${this.stack.id}: ${key} is referenced but not in the stack`);
      if (!model)
        throw new Error(`${this.stack.id}: no attribute model for ${type} (scripts/contracts/world.ts)`);
      if (this.active.has(key)) throw new Error(`${this.stack.id}: ${key} refers to itself`);
      this.active.add(key);
      attrs = model(body, this.location(`${type}.${id}`, body.provider));
      this.active.delete(key);
      this.cache.set(key, attrs);
    }
    const out = attrs[attr];
    if (out === undefined)
      throw new Error(`${this.stack.id}: no model of ${type}.${attr} (scripts/contracts/world.ts)`);
    return out;
  }

  private dataAttribute(type: string, id: string, attr: string): string {
    const model = DATA_ATTRIBUTES[type];
    const body = this.stack.json.data?.[type]?.[id];
    if (!model || !body) throw new Error(`${this.stack.id}: cannot resolve data.${type}.${id}.${attr}`);
    const out = model(this.location(`data.${type}.${id}`, body.provider))[attr];
    if (out === undefined) throw new Error(`${this.stack.id}: no model of data.${type}.${attr}`);
    return out;
  }

  private location(address: string, provider?: string): Location {
    const ref = provider ? provider.replace(/^\$\{(.*)\}$/, '$1') : 'aws';
    const region = this.stack.regions[ref];
    if (!region) throw new Error(`${this.stack.id}: ${address} uses an unknown provider ${ref}`);
    return {
      account: this.stack.account,
      region,
      seed: `${this.stack.id}/${address}`,
      value: (v) => this.value(v),
    };
  }

  /** A JSON document (string with references) or an object whose strings hold references. */
  document(doc: unknown): any {
    if (typeof doc === 'string') return JSON.parse(this.value(doc));
    return this.deep(doc);
  }

  deep(v: unknown): any {
    if (typeof v === 'string') return this.value(v);
    if (Array.isArray(v)) return v.map((x) => this.deep(x));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.deep(x)]));
    return v;
  }

  region(provider?: string): string {
    return this.stack.regions[provider ? provider.replace(/^\$\{(.*)\}$/, '$1') : 'aws'];
  }
}

/**
 * Resources AWS owns in its own accounts that our roles reach, with the access AWS documents for
 * them (a pattern of the ARN -> its policy as AWS's documentation states it).
 */
const AWS_OWNED_RESOURCE_POLICIES: Record<string, PolicyDocument> = {
  // GuardDuty Runtime Monitoring's Fargate agent: "the GuardDuty security agent container image is
  // in an Amazon ECR repository owned by AWS", pulled by each task's execution role (GuardDuty user
  // guide, "Prerequisites for AWS Fargate (Amazon ECS only) support"; the account differs by Region).
  'arn:aws:ecr:[a-z0-9-]+:\\d{12}:repository/aws-guardduty-agent-fargate': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: '*',
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        Resource: '*',
      },
    ],
  },
};

const DEFAULT_KEY_POLICY = (account: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
  ],
});

/** Builds the world from every synthesized stack (raw JSON, `//` comments kept). */
export function buildWorld(stacks: RawStacks): World {
  const contexts = Object.entries(stacks).map(([id, json]) => stackContext(id, json));
  const resolvers = new Map(contexts.map((c) => [c.id, new Resolver(c)]));
  const customerPolicies = new Map<string, { name: string; document: PolicyDocument }>();
  const resourcePolicies = new Map<string, PolicyDocument>();
  const owners = new Map<string, string>();

  for (const c of contexts) {
    const r = resolvers.get(c.id)!;
    const res = c.json.resource ?? {};
    for (const [id, p] of Object.entries<any>(res.aws_iam_policy ?? {}))
      customerPolicies.set(r.attribute('aws_iam_policy', id, 'arn'), {
        name: r.value(p.name),
        document: r.document(p.policy),
      });
    for (const p of Object.values<any>(res.aws_s3_bucket_policy ?? {}))
      resourcePolicies.set(`arn:aws:s3:::${r.value(p.bucket)}`, r.document(p.policy));
    for (const id of Object.keys(res.aws_s3_bucket ?? {}))
      owners.set(r.attribute('aws_s3_bucket', id, 'arn'), c.account);
    for (const [id, k] of Object.entries<any>(res.aws_kms_key ?? {}))
      resourcePolicies.set(
        r.attribute('aws_kms_key', id, 'arn'),
        k.policy ? r.document(k.policy) : DEFAULT_KEY_POLICY(c.account),
      );
    for (const p of Object.values<any>(res.aws_kms_key_policy ?? {})) {
      const keyId = r.value(p.key_id);
      const keyArn = keyId.startsWith('arn:')
        ? keyId
        : arn('kms', { ...loc(c, r, p.provider) }, `key/${keyId}`);
      resourcePolicies.set(keyArn, r.document(p.policy));
    }
    for (const [id, q] of Object.entries<any>(res.aws_sqs_queue ?? {}))
      if (q.policy) resourcePolicies.set(r.attribute('aws_sqs_queue', id, 'arn'), r.document(q.policy));
    for (const p of Object.values<any>(res.aws_sqs_queue_policy ?? {})) {
      const url = r.value(p.queue_url);
      const [, , host, account, name] = url.split('/');
      resourcePolicies.set(`arn:aws:sqs:${host.split('.')[1]}:${account}:${name}`, r.document(p.policy));
    }
    for (const [id, t] of Object.entries<any>(res.aws_sns_topic ?? {}))
      if (t.policy) resourcePolicies.set(r.attribute('aws_sns_topic', id, 'arn'), r.document(t.policy));
    for (const p of Object.values<any>(res.aws_sns_topic_policy ?? {}))
      resourcePolicies.set(r.value(p.arn), r.document(p.policy));
    for (const p of Object.values<any>(res.aws_secretsmanager_secret_policy ?? {}))
      resourcePolicies.set(r.value(p.secret_arn), r.document(p.policy));
    for (const p of Object.values<any>(res.aws_dynamodb_resource_policy ?? {}))
      resourcePolicies.set(r.value(p.resource_arn), r.document(p.policy));
    for (const p of Object.values<any>(res.aws_backup_vault_policy ?? {}))
      resourcePolicies.set(
        arn('backup', loc(c, r, p.provider), `backup-vault:${r.value(p.backup_vault_name)}`),
        r.document(p.policy),
      );
    for (const p of Object.values<any>(res.aws_ecr_repository_policy ?? {})) {
      const repo = r.value(p.repository);
      resourcePolicies.set(arn('ecr', loc(c, r, p.provider), `repository/${repo}`), r.document(p.policy));
    }
  }

  const roles: WorldRole[] = [];
  for (const c of contexts) {
    const r = resolvers.get(c.id)!;
    const res = c.json.resource ?? {};
    for (const [id, body] of Object.entries<any>(res.aws_iam_role ?? {})) {
      const name = r.attribute('aws_iam_role', id, 'name');
      const roleArn = r.attribute('aws_iam_role', id, 'arn');
      const trust = r.document(body.assume_role_policy);
      resourcePolicies.set(roleArn, trust);
      const ofRole = (ref: string) => r.value(ref) === name;
      const policies = Object.values<any>(res.aws_iam_role_policy ?? {})
        .filter((p) => ofRole(p.role))
        .map((p) => ({ name: r.value(p.name), document: r.document(p.policy) as PolicyDocument }));
      const managed: AttachedManagedPolicy[] = [];
      for (const a of Object.values<any>(res.aws_iam_role_policy_attachment ?? {})) {
        if (!ofRole(a.role)) continue;
        const policyArn = r.value(a.policy_arn);
        if (policyArn.startsWith('arn:aws:iam::aws:policy/'))
          managed.push({ name: policyArn.split('/').pop()!, arn: policyArn });
        else {
          const customer = customerPolicies.get(policyArn);
          if (!customer) throw new Error(`${c.id}: ${name} attaches ${policyArn}, which no stack creates`);
          policies.push(customer);
        }
      }
      if (body.inline_policy || body.managed_policy_arns)
        throw new Error(
          `${c.id}: ${name} uses inline_policy/managed_policy_arns; use aws_iam_role_policy(_attachment)`,
        );
      let boundary: WorldRole['boundary'];
      if (body.permissions_boundary) {
        const boundaryArn = r.value(body.permissions_boundary);
        boundary = customerPolicies.get(boundaryArn);
        if (!boundary) throw new Error(`${c.id}: ${name}'s boundary ${boundaryArn} is created by no stack`);
      }
      const contract = body['//']?.contract ? (r.deep(body['//'].contract) as RoleContract) : undefined;
      roles.push({
        stack: c.id,
        address: `aws_iam_role.${id}`,
        name,
        arn: roleArn,
        account: c.account,
        region: r.region(),
        trust,
        boundary,
        policies,
        managed,
        contract,
      });
    }
  }

  const resourcePolicyOf = (target: string): PolicyDocument | undefined => {
    const direct = resourcePolicies.get(target);
    if (direct) return direct;
    const external = Object.entries(AWS_OWNED_RESOURCE_POLICIES).find(([pattern]) =>
      new RegExp(`^${pattern}$`).test(target),
    );
    if (external) return external[1];
    if (target.startsWith('arn:aws:s3:::')) return resourcePolicies.get(target.split('/')[0]);
    // A key addressed by alias or an AWS managed key: the default key policy of its account.
    if (target.startsWith('arn:aws:kms:')) return DEFAULT_KEY_POLICY(target.split(':')[4]);
    return undefined;
  };
  const accountOf = (target: string) =>
    target.startsWith('arn:aws:s3:::') ? owners.get(target.split('/')[0]) : undefined;
  return { roles, resourcePolicyOf, accountOf };
}

function loc(c: StackContext, r: Resolver, provider?: string): Location {
  return { account: c.account, region: r.region(provider), seed: '', value: (v) => r.value(v) };
}
