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
import { arn, ATTRIBUTES, DATA_ATTRIBUTES, type Location } from './attributes';
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
/** `${local.<name>}`: a local value, itself resolved (the proxy's `prx-` id). */
const LOCAL_REF = /\$\{local\.([A-Za-z0-9_-]+)\}/g;
/** `${element(split("<sep>", <type>.<id>.<attr>), <n>)}`: one part of an attribute (a proxy's `prx-` id). */
const PART_REF =
  /\$\{element\(split\("([^"\\]+)", ([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\), (\d+)\)\}/g;

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

class Resolver {
  private readonly cache = new Map<string, Record<string, string>>();
  private readonly active = new Set<string>();
  constructor(private readonly stack: StackContext) {}

  /** A string with every reference replaced by its value. */
  value(v: unknown): string {
    if (typeof v !== 'string')
      throw new Error(`${this.stack.id}: expected a string, got ${JSON.stringify(v)}`);
    const replaced = v
      .replace(LOCAL_REF, (_m, name: string) => this.local(name))
      .replace(PART_REF, (_m, sep: string, type: string, id: string, attr: string, n: string) => {
        const parts = this.attribute(type, id, attr).split(sep);
        // Terraform's element() wraps around; an index past the end means the model is wrong here.
        if (Number(n) >= parts.length)
          throw new Error(`${this.stack.id}: ${type}.${id}.${attr} has no part ${n}`);
        return parts[Number(n)];
      })
      .replace(DATA_REF, (_m, type: string, id: string, attr: string) => this.dataAttribute(type, id, attr))
      .replace(REF, (_m, type: string, id: string, attr: string) => this.attribute(type, id, attr));
    if (replaced.includes('${'))
      throw new Error(`${this.stack.id}: cannot resolve ${replaced.match(/\$\{[^}]*\}/)?.[0]}`);
    return replaced;
  }

  private local(name: string): string {
    const value = this.stack.json.locals?.[name];
    if (value === undefined)
      throw new Error(`${this.stack.id}: local.${name} is referenced but not in the stack`);
    return this.value(value);
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
