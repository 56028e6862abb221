import { Testing } from 'cdktf';
import {
  accountOf,
  accountRecoveryRegion,
  environmentInputs,
  environments,
  registry,
} from '../../environments';
import { Naming, shorten } from '../../constructs/core/naming';
import { definePlatform } from '../../stacks/platform-app';
import { TERRAFORM_REQUIRED_VERSION } from '../../stacks/toolchain';
import { appStack, appStackIds, appStacks } from '../support/app-synth';
import { accountsInputCopy, buildStacks, envInput, policy, registryOf, synth } from '../support/fixtures';

describe('every synthesized stack', () => {
  // Set with the backend (stacks/backend.ts), S3 or local: no stack reaches Terraform without it.
  it.each(appStackIds())('%s requires the Terraform release line CI installs (required_version)', (id) => {
    expect(appStack(id).json.terraform.required_version).toBe(TERRAFORM_REQUIRED_VERSION);
  });
});

describe('platform stacks', () => {
  const stacks = buildStacks(registry);
  const synthesized = appStacks().platform;

  it('exist once per environment, named platform-<env>', () => {
    // Spelled out here (not from stacks/stack-ids.ts), so a change of the naming scheme fails.
    expect(Object.values(stacks.platform).map((s) => s.node.id)).toEqual(
      Object.keys(environments).map((name) => `platform-${name}`),
    );
    expect(Object.values(stacks.state).map((s) => s.node.id)).toEqual(
      Object.keys(registry.accounts).map((slug) => `state-${slug}`),
    );
    expect(Object.values(stacks.baseline).map((s) => s.node.id)).toEqual(
      Object.keys(registry.accounts).map((slug) => `baseline-${slug}`),
    );
  });

  it.each(Object.keys(environments))('%s keeps state in the S3 backend under its own key', (name) => {
    const env = environments[name];
    const { project, state } = accountOf(registry, env).account;
    const backend = synthesized[name].json.terraform.backend.s3;
    expect(backend).toEqual({
      bucket: state.bucket,
      key: `${project}/${name}/terraform.tfstate`,
      region: state.region,
      encrypt: true,
      kms_key_id: state.kmsKeyAlias,
      dynamodb_table: state.lockTable,
    });
  });

  it('gives every environment a distinct state key', () => {
    const keys = Object.values(synthesized).map((s) => s.json.terraform.backend.s3.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(Object.keys(environments))(
    '%s pins the provider to its account and region, with default tags',
    (name) => {
      const env = environments[name];
      const [provider] = synthesized[name].json.provider.aws;
      expect(provider.region).toBe(env.region);
      expect(provider.allowed_account_ids).toEqual([env.accountId]);
      expect(provider.default_tags[0].tags).toMatchObject({
        Project: accountOf(registry, env).account.project,
        Environment: name,
        ManagedBy: 'cdktf',
        ...env.tags,
      });
      expect(synthesized[name].json.terraform.required_providers.aws.version).toBe('5.100.0');
    },
  );

  it('adds use_lockfile when the config asks for it', () => {
    const env = envInput('dev');
    const accounts = accountsInputCopy();
    accounts.main.state.useLockfile = true;
    const reg = registryOf([env], accounts);
    const out = synth(buildStacks(reg).platform.dev);
    expect(out.json.terraform.backend.s3.use_lockfile).toBe(true);
    expect(synthesized.dev.json.terraform.backend.s3.use_lockfile).toBeUndefined();
  });
});

describe('state stack', () => {
  const synthesized = synth(buildStacks(registry).state.main);
  const account = registry.accounts.main;
  const state = account.state;
  // The home region's resources (the replica's carry the recovery provider: 'state replica' below).
  const out = {
    ...synthesized,
    only(type: string) {
      const all = synthesized.resources(type).filter(([, r]) => r.provider === undefined);
      if (all.length !== 1)
        throw new Error(`expected exactly one ${type} in the home region, found ${all.length}`);
      return all[0][1];
    },
  };

  it('starts on a local backend in the repository root', () => {
    expect(out.json.terraform.backend).toEqual({ local: { path: '../../../terraform.state-main.tfstate' } });
  });

  it('moves to the S3 backend once the account says so', () => {
    const accounts = accountsInputCopy();
    accounts.main.stateBackend = 's3';
    const s3 = synth(buildStacks(registryOf([envInput('dev')], accounts)).state.main);
    expect(s3.json.terraform.backend.s3).toMatchObject({
      bucket: state.bucket,
      key: 'webplat/accounts/main/state.tfstate',
      dynamodb_table: state.lockTable,
    });
    expect(s3.json.terraform.required_version).toBe(TERRAFORM_REQUIRED_VERSION);
  });

  it('creates a versioned, KMS-encrypted, private state bucket', () => {
    expect(out.only('aws_s3_bucket').bucket).toBe(state.bucket);
    expect(out.only('aws_s3_bucket_versioning').versioning_configuration.status).toBe('Enabled');
    const sse = out.only('aws_s3_bucket_server_side_encryption_configuration').rule[0];
    expect(sse.apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
    expect(sse.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(
      /^\$\{aws_kms_key\..+\.arn\}$/,
    );
    expect(out.only('aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(out.only('aws_s3_bucket_ownership_controls').rule.object_ownership).toBe('BucketOwnerEnforced');
    const rules = out.only('aws_s3_bucket_lifecycle_configuration').rule;
    expect(rules).toContainEqual(
      expect.objectContaining({ noncurrent_version_expiration: [{ noncurrent_days: 90 }] }),
    );
  });

  it('denies plain HTTP and every principal but the admins (and root, service-linked roles)', () => {
    const doc = policy(out.only('aws_s3_bucket_policy').policy);
    const tls = doc.Statement.find((s) => s.Sid === 'DenyInsecureTransport');
    expect(tls).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const named = doc.Statement.find((s) => s.Sid === 'DenyAllButNamedPrincipals');
    expect(named.Effect).toBe('Deny');
    expect(named.Condition.StringNotLike['aws:PrincipalArn']).toEqual(
      expect.arrayContaining([...account.adminPrincipalArns, `arn:aws:iam::${account.accountId}:root`]),
    );
  });

  it('creates the lock table: LockID, on-demand, PITR, KMS, deletion protection', () => {
    expect(out.only('aws_dynamodb_table')).toMatchObject({
      name: state.lockTable,
      hash_key: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: true,
    });
  });

  it('creates a rotating KMS key under the configured alias', () => {
    expect(out.only('aws_kms_key')).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(out.only('aws_kms_alias').name).toBe(state.kmsKeyAlias);
  });

  it('tags every taggable resource through the stack Aspect', () => {
    for (const type of ['aws_s3_bucket', 'aws_dynamodb_table', 'aws_kms_key']) {
      for (const [, r] of out.resources(type))
        expect(r.tags).toMatchObject({ Project: 'webplat', Environment: 'account', ManagedBy: 'cdktf' });
    }
    // Resources without a tags argument are left alone.
    expect(out.only('aws_s3_bucket_versioning').tags).toBeUndefined();
  });
});

describe('state replica (an account with a recovery region)', () => {
  const out = synth(buildStacks(registry).state.main);
  const account = registry.accounts.main;
  const state = account.state;
  const recovery = accountRecoveryRegion(registry, 'main')!;
  const inRecovery = (type: string) => out.resources(type).filter(([, r]) => r.provider === 'aws.recovery');
  const one = (type: string) => {
    const all = inRecovery(type);
    expect(all).toHaveLength(1);
    return all[0];
  };

  it('has a provider for the recovery region, pinned to the account', () => {
    const provider = out.json.provider.aws.find((p: any) => p.alias === 'recovery');
    expect(provider).toMatchObject({ region: recovery, allowed_account_ids: [account.accountId] });
  });

  it('makes the replica bucket there, hardened as the state bucket is, with a key of its own', () => {
    const [bucketId, bucket] = one('aws_s3_bucket');
    expect(bucket.bucket).toBe(`${state.bucket}-replica`);
    const ref = `\${aws_s3_bucket.${bucketId}.id}`;
    expect(one('aws_s3_bucket_versioning')[1]).toMatchObject({
      bucket: ref,
      versioning_configuration: { status: 'Enabled' },
    });
    expect(one('aws_s3_bucket_public_access_block')[1]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(one('aws_s3_bucket_ownership_controls')[1].rule.object_ownership).toBe('BucketOwnerEnforced');
    const [keyId, key] = one('aws_kms_key');
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(one('aws_kms_alias')[1].name).toBe(`${state.kmsKeyAlias}-replica`);
    const sse = one('aws_s3_bucket_server_side_encryption_configuration')[1].rule[0];
    expect(sse.apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: 'aws:kms',
      kms_master_key_id: `\${aws_kms_key.${keyId}.arn}`,
    });
    const doc = policy(one('aws_s3_bucket_policy')[1].policy);
    expect(doc.Statement.find((st) => st.Sid === 'DenyInsecureTransport')).toMatchObject({ Effect: 'Deny' });
    expect(
      doc.Statement.find((st) => st.Sid === 'DenyAllButNamedPrincipals').Condition.StringNotLike[
        'aws:PrincipalArn'
      ],
    ).toEqual(expect.arrayContaining([...account.adminPrincipalArns]));
  });

  it('never turns a key multi-region (the state key stays as it is)', () => {
    for (const [, k] of out.resources('aws_kms_key')) expect(k.multi_region).toBeUndefined();
  });

  it('replicates every version and delete marker, with the replica key and metrics, as its role', () => {
    const [, config] = out.resources('aws_s3_bucket_replication_configuration')[0];
    expect(out.resources('aws_s3_bucket_replication_configuration')).toHaveLength(1);
    expect(config.provider).toBeUndefined();
    expect(config.bucket).toBe(state.bucket);
    const [roleId, role] = out
      .resources('aws_iam_role')
      .find(([, r]) => r.name === 'webplat-state-replication')!;
    expect(config.role).toBe(`\${aws_iam_role.${roleId}.arn}`);
    const [boundaryId] = out
      .resources('aws_iam_policy')
      .find(([, p]) => p.name === 'webplat-workload-boundary')!;
    expect(role.permissions_boundary).toBe(`\${aws_iam_policy.${boundaryId}.arn}`);
    expect(policy(role.assume_role_policy).Statement[0]).toMatchObject({
      Principal: { Service: 's3.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': account.accountId } },
    });
    const [replicaBucketId] = one('aws_s3_bucket');
    const [replicaKeyId] = one('aws_kms_key');
    expect(config.rule).toEqual([
      expect.objectContaining({
        id: 'state-to-recovery-region',
        status: 'Enabled',
        filter: { prefix: '' },
        delete_marker_replication: { status: 'Enabled' },
        source_selection_criteria: { sse_kms_encrypted_objects: { status: 'Enabled' } },
        destination: expect.objectContaining({
          bucket: `\${aws_s3_bucket.${replicaBucketId}.arn}`,
          encryption_configuration: { replica_kms_key_id: `\${aws_kms_key.${replicaKeyId}.arn}` },
          metrics: { status: 'Enabled' },
        }),
      }),
    ]);
    // Replication needs versioning on both sides first.
    expect(config.depends_on).toHaveLength(2);
  });

  it('admits the replication role to the state bucket', () => {
    const home = out.resources('aws_s3_bucket_policy').find(([, p]) => p.provider === undefined)![1];
    const named = policy(home.policy).Statement.find((st) => st.Sid === 'DenyAllButNamedPrincipals');
    expect(named.Condition.StringNotLike['aws:PrincipalArn']).toContain(
      `arn:aws:iam::${account.accountId}:role/webplat-state-replication`,
    );
  });

  it('outputs the replica for the runbook', () => {
    expect(out.json.output.state_replica.value).toMatchObject({ region: recovery });
  });

  it('is left out when no environment of the account recovers (strategy none)', () => {
    const reg = registryOf([envInput('dev')]);
    expect(accountRecoveryRegion(reg, 'main')).toBeUndefined();
    const bare = synth(buildStacks(reg).state.main);
    expect(bare.count('aws_s3_bucket')).toBe(1);
    expect(bare.count('aws_s3_bucket_replication_configuration')).toBe(0);
    expect(bare.json.provider.aws).toHaveLength(1);
    const boundary = bare
      .resources('aws_iam_policy')
      .find(([, p]) => p.name === 'webplat-workload-boundary')![1];
    expect(policy(boundary.policy).Statement.find((st) => st.Sid === 'NoTerraformState').Action).toEqual([
      's3:*',
      'dynamodb:*',
    ]);
  });
});

describe('baseline stack: ECR replication', () => {
  it.each(Object.keys(registry.accounts))(
    'baseline-%s replicates the project repositories to the recovery region, once per account',
    (slug) => {
      const out = appStacks().baseline[slug];
      const region = accountRecoveryRegion(registry, slug);
      expect(region).toBeDefined();
      const configs = out.resources('aws_ecr_replication_configuration');
      expect(configs).toHaveLength(1);
      const { project, accountId } = registry.accounts[slug];
      expect(configs[0][1].replication_configuration.rule).toEqual([
        {
          destination: [{ region, registry_id: accountId }],
          repository_filter: [{ filter: `${project}-`, filter_type: 'PREFIX_MATCH' }],
        },
      ]);
      // A registry-wide singleton: no other stack makes one.
      for (const [id, other] of Object.entries(appStacks().platform))
        expect([id, other.count('aws_ecr_replication_configuration')]).toEqual([id, 0]);
      for (const [id, other] of Object.entries(appStacks().state))
        expect([id, other.count('aws_ecr_replication_configuration')]).toEqual([id, 0]);
    },
  );

  it('is left out when the account has no recovery region', () => {
    const reg = registryOf([envInput('dev')]);
    const out = synth(buildStacks(reg).baseline.main);
    expect(out.count('aws_ecr_replication_configuration')).toBe(0);
    expect(out.count('aws_cloudwatch_metric_alarm')).toBe(2);
  });
});

describe('two accounts', () => {
  it('give two state stacks, each for its own environments', () => {
    const accounts = accountsInputCopy();
    accounts.prodacct = { ...structuredClone(accounts.main), accountId: '222222222222' };
    const prod = envInput('prod');
    prod.accountId = '222222222222';
    accounts.prodacct.state = { ...accounts.prodacct.state, bucket: 'webplat-tfstate-222222222222' };
    const reg = registryOf([envInput('dev'), prod], accounts);
    const app = Testing.app();
    const stacks = definePlatform(app, reg);
    expect(Object.keys(stacks.state)).toEqual(Object.keys(accounts));
    expect(Object.keys(stacks.state)).toContain('prodacct');
    const second = synth(stacks.state.prodacct);
    expect(second.resources('aws_s3_bucket').map(([, b]) => b.bucket)).toEqual([
      'webplat-tfstate-222222222222',
      'webplat-tfstate-222222222222-replica',
    ]);
    expect(second.json.provider.aws[0].allowed_account_ids).toEqual(['222222222222']);
    expect(synth(stacks.platform.prod).json.terraform.backend.s3.bucket).toBe('webplat-tfstate-222222222222');
  });
});

describe('naming', () => {
  const naming = new Naming({
    project: 'webplat',
    environment: 'dev',
    accountId: '111111111111',
    region: 'us-east-1',
  });

  it('builds <project>-<env>-<component> names', () => {
    expect(naming.name('alb')).toBe('webplat-dev-alb');
    expect(naming.alias('data')).toBe('alias/webplat-dev-data');
    expect(naming.path('ecs', 'backend')).toBe('/ecs/webplat-dev/backend');
  });

  it('shortens long names deterministically within the limit', () => {
    const long = naming.short('very-long-target-group-name-for-backend', 32);
    expect(long).toHaveLength(32);
    expect(long).toBe(naming.short('very-long-target-group-name-for-backend', 32));
    expect(long).not.toBe(naming.short('very-long-target-group-name-for-backenx', 32));
    expect(shorten('short', 32)).toBe('short');
  });

  it('ends bucket names with the account id, at most 63 characters', () => {
    expect(naming.bucket('alb-logs')).toBe('webplat-dev-alb-logs-111111111111');
    const long = naming.bucket('a-very-long-component-name-that-does-not-fit-in-a-bucket');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long.endsWith('-111111111111')).toBe(true);
  });
});

describe('recommended layout: production in its own account', () => {
  // The committed config shares one account (seed 001); production belongs in its own, which
  // fences it from every non-production role by the account boundary itself.
  const PROD_ID = '222222222222';
  const accounts = accountsInputCopy();
  const [mainSlug] = Object.keys(accounts);
  const main = accounts[mainSlug];
  accounts.production = {
    ...structuredClone(main),
    accountId: PROD_ID,
    state: { ...main.state, bucket: `${main.project}-tfstate-${PROD_ID}` },
    adminPrincipalArns: [`arn:aws:iam::${PROD_ID}:role/platform-admin`],
  };
  const inputs = environmentInputs.map((e) => {
    const input = structuredClone(e) as any;
    if (input.tier === 'production') input.accountId = PROD_ID;
    return input;
  });
  const split = registryOf(inputs, accounts);
  const stacks = definePlatform(Testing.app(), split);
  const production = Object.values(split.environments).filter((e) => e.tier === 'production');

  it('synthesizes a state and a baseline stack per account', () => {
    expect(Object.keys(stacks.state).sort()).toEqual(Object.keys(accounts).sort());
    expect(Object.keys(stacks.baseline).sort()).toEqual(Object.keys(accounts).sort());
    expect(Object.keys(stacks.state)).toEqual(expect.arrayContaining([mainSlug, 'production']));
  });

  it("puts each environment's pipeline roles in its own account's state stack only", () => {
    const roleNames = (slug: string) =>
      synth(stacks.state[slug])
        .resources('aws_iam_role')
        .map(([, r]) => r.name as string);
    for (const env of production) {
      expect(roleNames('production')).toContain(`${main.project}-${env.name}-github-apply`);
      expect(roleNames(mainSlug)).not.toContain(`${main.project}-${env.name}-github-apply`);
    }
  });

  it('pins production platform stacks to the production account and its state bucket', () => {
    for (const env of production) {
      const json = synth(stacks.platform[env.name]).json;
      expect(json.provider.aws[0].allowed_account_ids).toEqual([PROD_ID]);
      expect(json.terraform.backend.s3.bucket).toBe(`${main.project}-tfstate-${PROD_ID}`);
    }
  });
});
