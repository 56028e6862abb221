import { accountRecoveryRegion, environmentsOf, registry } from '../../environments';
import { appStacks } from '../support/app-synth';
import { accountsInputCopy, buildStacks, envInput, registryOf, synth, wrap } from '../support/fixtures';
import { decide, type Decision, type EvalRequest } from '../support/iam-eval';
import { pipelinePolicies } from '../support/pipeline-policies';

// Evaluates the synthesized pipeline policies (identity + pipeline boundary + state bucket policy) with
// iam-simulate: every denial has its legitimate counterpart allowed, so a policy that denies
// everything fails as surely as one that allows too much. Names are spelled out here.
const [slug, account] = Object.entries(registry.accounts)[0];
const [own, other] = environmentsOf(registry, slug);
const { project, accountId, state } = account;
// The state replica's bucket and key (state-replica.ts) get ARNs of their own before the support
// resolves every other bucket and key reference to the state's.
const recovery = accountRecoveryRegion(registry, slug)!;
const replicaBucketArn = `arn:aws:s3:::${state.bucket}-replica`;
const replicaKeyArn = `arn:aws:kms:${recovery}:${accountId}:key/11111111-1111-1111-1111-111111111111`;
const stateStack = wrap(
  JSON.parse(
    JSON.stringify(appStacks().state[slug].json)
      .replace(/\$\{aws_kms_key\.StateReplica_[^}]+\.arn\}/g, replicaKeyArn)
      .replace(/\$\{aws_s3_bucket\.StateReplica_[^}]+\.arn\}/g, replicaBucketArn),
  ),
);
const p = pipelinePolicies(stateStack, account);
const role = (name: string) => `arn:aws:iam::${accountId}:role/${name}`;
const iam = (kind: string, name: string) => `arn:aws:iam::${accountId}:${kind}/${name}`;
const boundary = p.managed(`${project}-pipeline-boundary`);
const workloadBoundaryArn = iam('policy', `${project}-workload-boundary`);
// The boundary of the roles an environment's platform stack creates (its apply role's roles).
const envBoundaryArn = (env: string) => iam('policy', `${project}-workload-boundary-${env}`);
const stateKey = (prefix: string) => `${p.bucketArn}/${project}/${prefix}/terraform.tfstate`;
const lockKey = (prefix: string) => `${state.bucket}/${project}/${prefix}/terraform.tfstate`;
// The S3 backend's digest item beside the lock: what a plan without a lock reads.
const digestKey = (prefix: string) => `${lockKey(prefix)}-md5`;

/** A KMS key policy that delegates to IAM (the default; the platform's keys start from it). */
const keyPolicy = {
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
  ],
};
const resourcePolicyOf = (resource: string) =>
  resource.startsWith(p.bucketArn)
    ? p.bucketPolicy
    : resource.startsWith('arn:aws:kms:')
      ? keyPolicy
      : undefined;

/** The decision for the pipeline role `name` (its policies, the pipeline boundary, the bucket policy for state). */
function as(name: string) {
  const principalArn = role(name);
  const identity = p.identity(name);
  return (action: string, resource: string, context: EvalRequest['context'] = {}): Promise<Decision> =>
    decide({
      identity,
      boundary,
      principalArn,
      action,
      resource,
      context,
      resourcePolicy: resourcePolicyOf(resource),
    });
}

const apply = as(`${project}-${own.name}-github-apply`);
const accountApply = as(`${project}-acct-${slug}-github-apply`);
const plan = as(`${project}-${own.name}-github-plan`);
const ownPrefix = `${project}-${own.name}`;
const otherPrefix = `${project}-${other.name}`;
const bounded = { 'iam:PermissionsBoundary': envBoundaryArn(own.name) };

describe(`the ${own.name} apply role`, () => {
  it("creates and changes roles only as <project>-<env>-* and only under its environment's workload boundary", async () => {
    const mine = role(`${ownPrefix}-worker-task`);
    expect(await apply('iam:CreateRole', mine, bounded)).toBe('Allowed');
    expect(await apply('iam:AttachRolePolicy', mine, bounded)).toBe('Allowed');
    expect(await apply('iam:PutRolePolicy', mine, bounded)).toBe('Allowed');
    // Without the boundary, or with another one (its own, the pipeline's): denied.
    expect(await apply('iam:CreateRole', mine)).not.toBe('Allowed');
    expect(
      await apply('iam:CreateRole', mine, { 'iam:PermissionsBoundary': iam('policy', 'anything') }),
    ).not.toBe('Allowed');
    // Nor under the account's boundary or another environment's (no fence to its environment).
    for (const b of [workloadBoundaryArn, envBoundaryArn(other.name)])
      expect(await apply('iam:CreateRole', mine, { 'iam:PermissionsBoundary': b })).not.toBe('Allowed');
    expect(await apply('iam:DeleteRolePermissionsBoundary', mine, bounded)).toBe('ExplicitlyDenied');
    // Outside its prefix: another environment's roles, the account's, a pipeline role inside its prefix.
    expect(await apply('iam:AttachRolePolicy', role(`${otherPrefix}-backend-task`), bounded)).not.toBe(
      'Allowed',
    );
    expect(await apply('iam:AttachRolePolicy', role(`${project}-config`), bounded)).not.toBe('Allowed');
    expect(await apply('iam:AttachRolePolicy', role(`${ownPrefix}-github-plan`), bounded)).toBe(
      'ExplicitlyDenied',
    );
    expect(await apply('iam:UpdateAssumeRolePolicy', role(`${ownPrefix}-github-apply`))).toBe(
      'ExplicitlyDenied',
    );
  });

  it('passes only its own roles, only to the services they serve', async () => {
    const ecs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
    expect(await apply('iam:PassRole', role(`${ownPrefix}-backend-task`), ecs)).toBe('Allowed');
    expect(await apply('iam:PassRole', role(`${otherPrefix}-backend-task`), ecs)).not.toBe('Allowed');
    // A service no platform role serves (Lambda became one with the serverless layer).
    const sagemaker = { 'iam:PassedToService': 'sagemaker.amazonaws.com' };
    expect(await apply('iam:PassRole', role(`${ownPrefix}-backend-task`), sagemaker)).not.toBe('Allowed');
  });

  it('cannot touch the GitHub OIDC provider or the boundaries (the account apply role can)', async () => {
    const provider = iam('oidc-provider', 'token.actions.githubusercontent.com');
    for (const action of ['iam:DeleteOpenIDConnectProvider', 'iam:UpdateOpenIDConnectProviderThumbprint'])
      expect(await apply(action, provider)).toBe('ExplicitlyDenied');
    for (const b of [workloadBoundaryArn, envBoundaryArn(own.name)]) {
      expect(await apply('iam:CreatePolicyVersion', b)).toBe('ExplicitlyDenied');
      expect(await accountApply('iam:CreatePolicyVersion', b)).toBe('Allowed');
    }
    expect(await accountApply('iam:UpdateOpenIDConnectProviderThumbprint', provider)).toBe('Allowed');
  });

  it('never deletes recovery points or keys, nor stops the audit trail', async () => {
    const recoveryPoint = `arn:aws:backup:${own.region}:${accountId}:recovery-point:abc`;
    const trail = `arn:aws:cloudtrail:${account.region}:${accountId}:trail/${project}`;
    const key = `arn:aws:kms:${own.region}:${accountId}:key/1234`;
    const envTag = { 'aws:ResourceTag/Environment': own.name };
    expect(await apply('backup:DeleteRecoveryPoint', recoveryPoint, envTag)).toBe('ExplicitlyDenied');
    expect(
      await apply(
        'backup:StartBackupJob',
        `arn:aws:backup:${own.region}:${accountId}:backup-vault:v`,
        envTag,
      ),
    ).toBe('Allowed');
    expect(await apply('kms:ScheduleKeyDeletion', key, envTag)).toBe('ExplicitlyDenied');
    expect(await apply('kms:EnableKeyRotation', key, envTag)).toBe('Allowed');
    expect(await apply('cloudtrail:StopLogging', trail)).toBe('ExplicitlyDenied');
    expect(await apply('cloudtrail:UpdateTrail', trail)).toBe('ExplicitlyDenied');
    expect(await accountApply('cloudtrail:StopLogging', trail)).toBe('ExplicitlyDenied');
    expect(await accountApply('cloudtrail:UpdateTrail', trail)).toBe('Allowed');
  });

  it("is fenced from another environment's resources and state key in the shared account", async () => {
    const instance = `arn:aws:ec2:${own.region}:${accountId}:instance/i-0123456789abcdef0`;
    const tagged = (env: string) => ({ 'aws:ResourceTag/Environment': env });
    expect(await apply('ec2:TerminateInstances', instance, tagged(own.name))).toBe('Allowed');
    expect(await apply('ec2:TerminateInstances', instance, tagged(other.name))).toBe('ExplicitlyDenied');
    const bucket = (prefix: string) => `arn:aws:s3:::${prefix}-media-${accountId}`;
    expect(await apply('s3:PutBucketPolicy', bucket(ownPrefix))).toBe('Allowed');
    expect(await apply('s3:PutBucketPolicy', bucket(otherPrefix))).toBe('ExplicitlyDenied');
    expect(await apply('s3:PutObject', `${bucket(otherPrefix)}/a.jpg`)).toBe('ExplicitlyDenied');
    expect(await apply('s3:PutObject', stateKey(own.name))).toBe('Allowed');
    expect(await apply('s3:PutObject', stateKey(other.name))).toBe('ExplicitlyDenied');
    expect(await apply('s3:GetObject', stateKey(`accounts/${slug}`))).toBe('ExplicitlyDenied');
    // An allow-list, not a fence of the siblings that exist: a key nobody uses yet, and another key
    // under its own prefix, are out of reach too.
    expect(await apply('s3:PutObject', stateKey('anything'))).toBe('ExplicitlyDenied');
    expect(await apply('s3:PutObject', `${p.bucketArn}/${project}/${own.name}/other.tfstate`)).toBe(
      'ExplicitlyDenied',
    );
    const lock = (prefix: string) => ({ 'dynamodb:LeadingKeys': [lockKey(prefix)] });
    expect(await apply('dynamodb:PutItem', p.lockTableArn, lock(own.name))).toBe('Allowed');
    expect(await apply('dynamodb:PutItem', p.lockTableArn, lock(other.name))).toBe('ExplicitlyDenied');
    expect(await apply('dynamodb:PutItem', p.lockTableArn, lock('anything'))).toBe('ExplicitlyDenied');
    expect(
      await apply('dynamodb:PutItem', p.lockTableArn, { 'dynamodb:LeadingKeys': [digestKey(own.name)] }),
    ).toBe('Allowed');
    expect(await apply('dynamodb:Scan', p.lockTableArn)).toBe('ExplicitlyDenied');
  });

  it('runs, creates and registers ECS only in its own cluster and families; the account apply role has no ECS', async () => {
    const ecs = (rest: string) => `arn:aws:ecs:${own.region}:${accountId}:${rest}`;
    const inCluster = (prefix: string) => ({ 'ecs:cluster': ecs(`cluster/${prefix}`) });
    const ownService = ecs(`service/${ownPrefix}/${ownPrefix}-backend`);
    for (const action of ['ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService'])
      expect(`${action}: ${await apply(action, ownService, inCluster(ownPrefix))}`).toBe(
        `${action}: Allowed`,
      );
    // Its own revision, but in another environment's cluster; a service there; or no cluster named.
    const probe = ecs(`task-definition/${ownPrefix}-probe:1`);
    expect(await apply('ecs:RunTask', probe, inCluster(ownPrefix))).toBe('Allowed');
    expect(await apply('ecs:RunTask', probe, inCluster(otherPrefix))).toBe('ExplicitlyDenied');
    expect(await apply('ecs:RunTask', probe)).toBe('ExplicitlyDenied');
    expect(
      await apply('ecs:CreateService', ecs(`service/${otherPrefix}/probe`), {
        ...inCluster(otherPrefix),
        'aws:RequestTag/Environment': own.name,
      }),
    ).toBe('ExplicitlyDenied');
    expect(await apply('ecs:ExecuteCommand', ecs(`cluster/${otherPrefix}`), inCluster(otherPrefix))).toBe(
      'ExplicitlyDenied',
    );
    expect(await apply('ecs:RegisterTaskDefinition', ecs(`task-definition/${ownPrefix}-backend:9`))).toBe(
      'Allowed',
    );
    expect(await apply('ecs:RegisterTaskDefinition', ecs(`task-definition/${otherPrefix}-backend:99`))).toBe(
      'ExplicitlyDenied',
    );
    expect(await accountApply('ecs:RunTask', probe, inCluster(ownPrefix))).toBe('ExplicitlyDenied');
    expect(await accountApply('ecs:RegisterTaskDefinition', ecs(`task-definition/${ownPrefix}-x:1`))).toBe(
      'ExplicitlyDenied',
    );
  });

  it("changes no account-wide setting; the account apply role keeps the baseline's", async () => {
    for (const action of [
      'ecr:PutReplicationConfiguration',
      'ecr:PutRegistryPolicy',
      'ec2:DisableEbsEncryptionByDefault',
      'ec2:ModifyInstanceMetadataDefaults',
      'ec2:DisableSnapshotBlockPublicAccess',
      's3:PutAccountPublicAccessBlock',
    ])
      expect(`${action}: ${await apply(action, '*')}`).toBe(`${action}: ExplicitlyDenied`);
    // aws_ebs_encryption_by_default and aws_s3_account_public_access_block (baseline-<account>).
    for (const action of [
      'ec2:EnableEbsEncryptionByDefault',
      'ec2:DisableEbsEncryptionByDefault',
      's3:PutAccountPublicAccessBlock',
    ])
      expect(`${action}: ${await accountApply(action, '*')}`).toBe(`${action}: Allowed`);
  });

  it("the account apply role writes only the account's own state keys", async () => {
    const accountKey = (name: string) => `${p.bucketArn}/${project}/accounts/${slug}/${name}`;
    expect(await accountApply('s3:PutObject', accountKey('terraform.tfstate'))).toBe('Allowed');
    expect(await accountApply('s3:PutObject', accountKey('state.tfstate'))).toBe('Allowed');
    expect(await accountApply('s3:PutObject', stateKey(own.name))).toBe('ExplicitlyDenied');
    expect(await accountApply('s3:PutObject', stateKey('anything'))).toBe('ExplicitlyDenied');
    // Nor any other object: an environment's data, the trail's logs.
    expect(await accountApply('s3:PutObject', `arn:aws:s3:::${ownPrefix}-media-${accountId}/a.jpg`)).toBe(
      'ExplicitlyDenied',
    );
  });

  it('uses the account-level state resources only for state, and no other account-level resource', async () => {
    const account = { 'aws:ResourceTag/Environment': 'account' };
    const lock = { ...account, 'dynamodb:LeadingKeys': [lockKey(own.name)] };
    expect(await apply('dynamodb:PutItem', p.lockTableArn, lock)).toBe('Allowed');
    expect(await apply('kms:GenerateDataKey', p.keyArn, account)).toBe('Allowed');
    expect(await apply('kms:PutKeyPolicy', p.keyArn, account)).toBe('ExplicitlyDenied');
    expect(await apply('dynamodb:DeleteTable', p.lockTableArn, account)).toBe('ExplicitlyDenied');
    const trailBucket = `arn:aws:s3:::${project}-cloudtrail-${accountId}`;
    expect(await apply('s3:PutBucketPolicy', trailBucket, account)).toBe('ExplicitlyDenied');
    expect(await accountApply('s3:PutBucketPolicy', trailBucket, account)).toBe('Allowed');
    // And the account apply role stays out of the environments' resources.
    const instance = `arn:aws:ec2:${own.region}:${accountId}:instance/i-0123456789abcdef0`;
    expect(
      await accountApply('ec2:TerminateInstances', instance, { 'aws:ResourceTag/Environment': own.name }),
    ).toBe('ExplicitlyDenied');
  });

  it("cannot change the state bucket's policy or versioning; the account apply role can", async () => {
    expect(await apply('s3:PutBucketPolicy', p.bucketArn)).toBe('ExplicitlyDenied');
    expect(await apply('s3:PutBucketVersioning', p.bucketArn)).toBe('ExplicitlyDenied');
    expect(await accountApply('s3:PutBucketPolicy', p.bucketArn)).toBe('Allowed');
  });
});

describe(`the ${own.name} plan role`, () => {
  it("reads its own state and its digest (the S3 backend's check), and configuration", async () => {
    expect(await plan('s3:GetObject', stateKey(own.name))).toBe('Allowed');
    expect(
      await plan('dynamodb:GetItem', p.lockTableArn, { 'dynamodb:LeadingKeys': [digestKey(own.name)] }),
    ).toBe('Allowed');
    // Not the lock item itself (it takes none), nor another stack's digest.
    expect(
      await plan('dynamodb:GetItem', p.lockTableArn, { 'dynamodb:LeadingKeys': [lockKey(own.name)] }),
    ).toBe('ExplicitlyDenied');
    expect(
      await plan('dynamodb:GetItem', p.lockTableArn, { 'dynamodb:LeadingKeys': [digestKey(other.name)] }),
    ).toBe('ExplicitlyDenied');
    expect(
      await plan('ecs:DescribeServices', `arn:aws:ecs:${own.region}:${accountId}:service/${ownPrefix}/x`),
    ).toBe('Allowed');
    const viaS3 = { 'kms:ViaService': `s3.${state.region}.amazonaws.com` };
    expect(await plan('kms:Decrypt', p.keyArn, viaS3)).toBe('Allowed');
    expect(await plan('kms:Decrypt', p.keyArn)).toBe('ExplicitlyDenied');
    expect(await plan('s3:GetBucketPolicy', `arn:aws:s3:::${ownPrefix}-media-${accountId}`)).toBe('Allowed');
  });

  it("takes no lock (it plans with -lock=false): a pull request's plan cannot take or break an apply's", async () => {
    const ownLock = { 'dynamodb:LeadingKeys': [lockKey(own.name)] };
    for (const action of ['dynamodb:PutItem', 'dynamodb:DeleteItem'])
      expect(await plan(action, p.lockTableArn, ownLock)).not.toBe('Allowed');
    for (const action of ['s3:PutObject', 's3:DeleteObject'])
      expect(await plan(action, `${stateKey(own.name)}.tflock`)).not.toBe('Allowed');
    // The apply role does; a `.tflock` object only with `state.useLockfile` (lockfile-iam below).
    expect(await apply('dynamodb:PutItem', p.lockTableArn, ownLock)).toBe('Allowed');
    expect(state.useLockfile).toBe(false);
    expect(await apply('s3:PutObject', `${stateKey(own.name)}.tflock`)).toBe('ExplicitlyDenied');
  });

  it('reads no data: objects, items, secrets, logs, decryption, other state', async () => {
    const table = `arn:aws:dynamodb:${own.region}:${accountId}:table/${ownPrefix}-sessions`;
    const logGroup = `arn:aws:logs:${own.region}:${accountId}:log-group:/ecs/${ownPrefix}/backend`;
    const denied: Array<[string, string, EvalRequest['context']?]> = [
      ['s3:GetObject', `arn:aws:s3:::${ownPrefix}-media-${accountId}/users/1.jpg`],
      ['dynamodb:GetItem', table],
      ['dynamodb:Query', table],
      ['dynamodb:Scan', table],
      [
        'secretsmanager:GetSecretValue',
        `arn:aws:secretsmanager:${own.region}:${accountId}:secret:${ownPrefix}-db-AbCdEf`,
      ],
      ['logs:GetLogEvents', `${logGroup}:log-stream:x`],
      ['logs:FilterLogEvents', logGroup],
      ['kms:Decrypt', `arn:aws:kms:${own.region}:${accountId}:key/1234`],
      ['s3:GetObject', stateKey(other.name)],
      ['dynamodb:GetItem', p.lockTableArn, { 'dynamodb:LeadingKeys': [lockKey(other.name)] }],
      [
        'cognito-idp:ListUsersInGroup',
        `arn:aws:cognito-idp:${own.region}:${accountId}:userpool/${own.region}_AbCdEf123`,
      ],
      [
        'cognito-idp:AdminListGroupsForUser',
        `arn:aws:cognito-idp:${own.region}:${accountId}:userpool/${own.region}_AbCdEf123`,
      ],
      ['rds:DownloadDBLogFilePortion', `arn:aws:rds:${own.region}:${accountId}:db:${otherPrefix}-db`],
      ['xray:BatchGetTraces', '*'],
      ['ec2:GetConsoleOutput', `arn:aws:ec2:${own.region}:${accountId}:instance/i-0123456789abcdef0`],
      ['ssm:GetCommandInvocation', '*'],
    ];
    for (const [action, resource, context] of denied)
      expect(`${action} ${resource}: ${await plan(action, resource, context)}`).toBe(
        `${action} ${resource}: ExplicitlyDenied`,
      );
  });
});

describe(`the ${own.name} plan role's environment fence`, () => {
  it("refreshes its own functions and instances (their code location, user data), not another environment's", async () => {
    const fn = (prefix: string) =>
      `arn:aws:lambda:${own.region}:${accountId}:function:${prefix}-email-validation`;
    const instance = `arn:aws:ec2:${own.region}:${accountId}:instance/i-0123456789abcdef0`;
    const tagged = (env: string) => ({ 'aws:ResourceTag/Environment': env });
    expect(await plan('lambda:GetFunction', fn(ownPrefix), tagged(own.name))).toBe('Allowed');
    expect(await plan('lambda:GetFunction', fn(otherPrefix), tagged(other.name))).toBe('ExplicitlyDenied');
    expect(await plan('ec2:DescribeInstanceAttribute', instance, tagged(own.name))).toBe('Allowed');
    expect(await plan('ec2:DescribeInstanceAttribute', instance, tagged(other.name))).toBe(
      'ExplicitlyDenied',
    );
    // The account-tagged state resources stay readable for its state.
    const viaS3 = { 'kms:ViaService': `s3.${state.region}.amazonaws.com`, ...tagged('account') };
    expect(await plan('kms:Decrypt', p.keyArn, viaS3)).toBe('Allowed');
  });
});

describe('the per-service deploy roles', () => {
  const services = Object.keys(own.services).filter((s) => account.github.appRepositories[s]);
  const [mine, theirs] = services;
  const deploy = as(`${ownPrefix}-github-deploy-${mine}`);
  const ecs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };

  it(`${mine} passes, pushes and updates only its own`, async () => {
    expect(services.length).toBeGreaterThan(1);
    expect(await deploy('iam:PassRole', role(`${ownPrefix}-${mine}-task`), ecs)).toBe('Allowed');
    expect(await deploy('iam:PassRole', role(`${ownPrefix}-${mine}-execution`), ecs)).toBe('Allowed');
    expect(await deploy('iam:PassRole', role(`${ownPrefix}-${theirs}-task`), ecs)).not.toBe('Allowed');
    expect(await deploy('iam:PassRole', role(`${otherPrefix}-${mine}-task`), ecs)).not.toBe('Allowed');
    const repo = (name: string) => `arn:aws:ecr:${own.region}:${accountId}:repository/${name}`;
    expect(await deploy('ecr:PutImage', repo(`${ownPrefix}-${mine}`))).toBe('Allowed');
    expect(await deploy('ecr:PutImage', repo(`${ownPrefix}-${theirs}`))).not.toBe('Allowed');
    const service = (name: string) => `arn:aws:ecs:${own.region}:${accountId}:service/${ownPrefix}/${name}`;
    const family = (name: string) => `arn:aws:ecs:${own.region}:${accountId}:task-definition/${name}:7`;
    const to = (name: string) => ({ 'ecs:task-definition': family(name) });
    expect(
      await deploy('ecs:UpdateService', service(`${ownPrefix}-${mine}`), to(`${ownPrefix}-${mine}`)),
    ).toBe('Allowed');
    expect(
      await deploy('ecs:UpdateService', service(`${ownPrefix}-${theirs}`), to(`${ownPrefix}-${mine}`)),
    ).not.toBe('Allowed');
    // Its service only on a revision of its own family: not the migration task (the master
    // credential), not another service's, not another environment's; not without naming one.
    for (const name of [`${ownPrefix}-db-migrate`, `${ownPrefix}-${theirs}`, `${otherPrefix}-${mine}`])
      expect(await deploy('ecs:UpdateService', service(`${ownPrefix}-${mine}`), to(name))).not.toBe(
        'Allowed',
      );
    expect(await deploy('ecs:UpdateService', service(`${ownPrefix}-${mine}`))).not.toBe('Allowed');
    // Its own revision, but with the network or ECS Exec changed: those are Terraform's.
    const changes: Array<Record<string, string | string[]>> = [
      { 'ecs:auto-assign-public-ip': 'true' },
      { 'ecs:auto-assign-public-ip': 'ENABLED' },
      { 'ecs:subnet': ['subnet-0a1b2c3d4e5f60718'] },
      { 'ecs:enable-execute-command': 'true' },
    ];
    for (const keys of changes)
      expect(
        await deploy('ecs:UpdateService', service(`${ownPrefix}-${mine}`), {
          ...to(`${ownPrefix}-${mine}`),
          ...keys,
        }),
      ).not.toBe('Allowed');
    // Given as they are (false), the keys pass: only a change is denied.
    expect(
      await deploy('ecs:UpdateService', service(`${ownPrefix}-${mine}`), {
        ...to(`${ownPrefix}-${mine}`),
        'ecs:auto-assign-public-ip': 'false',
        'ecs:enable-execute-command': 'false',
      }),
    ).toBe('Allowed');
    // Revisions only in its own family: not another service's, not the migration task's that the
    // gated migration runs.
    const register = (name: string) => deploy('ecs:RegisterTaskDefinition', family(name));
    expect(await register(`${ownPrefix}-${mine}`)).toBe('Allowed');
    expect(await register(`${ownPrefix}-${theirs}`)).not.toBe('Allowed');
    expect(await register(`${ownPrefix}-db-migrate`)).not.toBe('Allowed');
    expect(await register(`${otherPrefix}-${mine}`)).not.toBe('Allowed');
  });
});

describe('the deploy roles and CodeDeploy (blue/green)', () => {
  const services = Object.keys(own.services).filter((s) => account.github.appRepositories[s]);
  const [mine, theirs] = services;
  const deploy = as(`${ownPrefix}-github-deploy-${mine}`);
  const codedeploy = (resource: string) => `arn:aws:codedeploy:${own.region}:${accountId}:${resource}`;
  const group = (prefix: string, svc: string) =>
    codedeploy(`deploymentgroup:${prefix}-${svc}/${prefix}-${svc}`);
  const application = (prefix: string, svc: string) => codedeploy(`application:${prefix}-${svc}`);

  it(`${mine} creates, watches and stops deployments of its own deployment group only`, async () => {
    for (const action of ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment']) {
      expect(`${action}: ${await deploy(action, group(ownPrefix, mine))}`).toBe(`${action}: Allowed`);
      // Another environment's group of the same service, another service's group: not.
      expect(await deploy(action, group(otherPrefix, mine))).not.toBe('Allowed');
      expect(await deploy(action, group(ownPrefix, theirs))).not.toBe('Allowed');
    }
    expect(await deploy('codedeploy:RegisterApplicationRevision', application(ownPrefix, mine))).toBe(
      'Allowed',
    );
    expect(await deploy('codedeploy:RegisterApplicationRevision', application(otherPrefix, mine))).not.toBe(
      'Allowed',
    );
    expect(
      await deploy(
        'codedeploy:GetDeploymentConfig',
        codedeploy('deploymentconfig:CodeDeployDefault.ECSAllAtOnce'),
      ),
    ).toBe('Allowed');
    expect(
      await deploy(
        'codedeploy:GetDeploymentConfig',
        codedeploy(`deploymentconfig:${ownPrefix}-${mine}-canary-10pct-5min`),
      ),
    ).toBe('Allowed');
  });

  it('watches and stops deployments through the calls that take only "*", and nothing else there', async () => {
    for (const action of [
      'codedeploy:GetDeploymentTarget',
      'codedeploy:ListDeploymentTargets',
      'codedeploy:StopDeployment',
    ])
      expect(`${action}: ${await deploy(action, '*')}`).toBe(`${action}: Allowed`);
    // ContinueDeployment (also "*"-only) would push a waiting deployment on: not granted.
    expect(await deploy('codedeploy:ContinueDeployment', '*')).not.toBe('Allowed');
  });

  it('cannot change the deployment group or application (Terraform owns them), nor read what app-image never reads', async () => {
    expect(await deploy('codedeploy:GetDeploymentGroup', group(ownPrefix, mine))).not.toBe('Allowed');
    for (const action of ['codedeploy:UpdateDeploymentGroup', 'codedeploy:DeleteDeploymentGroup'])
      expect(await deploy(action, group(ownPrefix, mine))).not.toBe('Allowed');
    expect(await deploy('codedeploy:DeleteApplication', application(ownPrefix, mine))).not.toBe('Allowed');
  });
});

describe('the service migration roles (services with migrations)', () => {
  const env = environmentsOf(registry, slug).find((e) =>
    Object.entries(e.services).some(([n, s]) => s.migrations && account.github.appRepositories[n]),
  )!;
  const prefix = `${project}-${env.name}`;
  const [svc] = Object.entries(env.services).find(([, s]) => s.migrations)!;
  const migrate = as(`${prefix}-github-migrate-${svc}`);
  const ecs = (kind: string) => `arn:aws:ecs:${env.region}:${accountId}:${kind}`;
  const toEcs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };

  it("registers and runs only its own migration task with its roles, and reads only that task's output", async () => {
    const own = (rev: number) => ecs(`task-definition/${prefix}-${svc}-migrate:${rev}`);
    const inCluster = { 'ecs:cluster': ecs(`cluster/${prefix}`) };
    expect(await migrate('ecs:RegisterTaskDefinition', own(4))).toBe('Allowed');
    expect(await migrate('ecs:RunTask', own(4), inCluster)).toBe('Allowed');
    expect(await migrate('iam:PassRole', role(`${prefix}-${svc}-migrate`), toEcs)).toBe('Allowed');
    expect(await migrate('iam:PassRole', role(`${prefix}-${svc}-execution`), toEcs)).toBe('Allowed');
    const logs = `arn:aws:logs:${env.region}:${accountId}:log-group:/ecs/${prefix}`;
    expect(await migrate('logs:GetLogEvents', `${logs}/${svc}:log-stream:migrate/migrate/1`)).toBe('Allowed');
    // Never the platform bootstrap (the master credential), the service itself, or its runtime logs.
    for (const family of [`${prefix}-db-migrate`, `${prefix}-${svc}`, `${prefix}-other-migrate`]) {
      const arn = ecs(`task-definition/${family}:4`);
      expect(await migrate('ecs:RegisterTaskDefinition', arn)).not.toBe('Allowed');
      expect(await migrate('ecs:RunTask', arn, inCluster)).not.toBe('Allowed');
    }
    for (const r of [`${prefix}-db-migrate-execution`, `${prefix}-db-migrate-task`, `${prefix}-${svc}-task`])
      expect(await migrate('iam:PassRole', role(r), toEcs)).not.toBe('Allowed');
    expect(await migrate('logs:GetLogEvents', `${logs}/${svc}:log-stream:app/app/1`)).not.toBe('Allowed');
    expect(
      await migrate('logs:GetLogEvents', `${logs}/db-migrate:log-stream:db-migrate/db-migrate/1`),
    ).not.toBe('Allowed');
    // Not a deploy role: it cannot roll the service out.
    expect(await migrate('ecs:UpdateService', ecs(`service/${prefix}/${prefix}-${svc}`))).not.toBe('Allowed');
  });
});

describe('the migration role', () => {
  const migrate = as(`${ownPrefix}-github-migrate`);
  const ecs = (kind: string) => `arn:aws:ecs:${own.region}:${accountId}:${kind}`;
  const inCluster = (prefix: string) => ({ 'ecs:cluster': ecs(`cluster/${prefix}`) });

  it("runs only its environment's migration task, in its cluster, with only that task's roles", async () => {
    const family = ecs(`task-definition/${ownPrefix}-db-migrate:3`);
    expect(await migrate('ecs:RunTask', family, inCluster(ownPrefix))).toBe('Allowed');
    expect(await migrate('ecs:RunTask', family, inCluster(otherPrefix))).not.toBe('Allowed');
    expect(
      await migrate('ecs:RunTask', ecs(`task-definition/${ownPrefix}-backend:3`), inCluster(ownPrefix)),
    ).not.toBe('Allowed');
    const toEcs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
    expect(await migrate('iam:PassRole', role(`${ownPrefix}-db-migrate-task`), toEcs)).toBe('Allowed');
    expect(await migrate('iam:PassRole', role(`${ownPrefix}-backend-task`), toEcs)).not.toBe('Allowed');
  });

  it('is the only deploy identity that runs it: the service deploy roles cannot', async () => {
    const [svc] = Object.keys(own.services).filter((s) => account.github.appRepositories[s]);
    const deploy = as(`${ownPrefix}-github-deploy-${svc}`);
    const family = ecs(`task-definition/${ownPrefix}-db-migrate:3`);
    expect(await deploy('ecs:RunTask', family, inCluster(ownPrefix))).not.toBe('Allowed');
  });
});

describe("failure notifications: each deploying role publishes to its own environment's warning topic only", () => {
  const topic = (prefix: string, severity = 'warning') =>
    `arn:aws:sns:${own.region}:${accountId}:${prefix}-alerts-${severity}`;
  const key = `arn:aws:kms:${own.region}:${accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const viaSns = (alias: string) => ({
    'kms:ViaService': `sns.${own.region}.amazonaws.com`,
    'kms:ResourceAliases': [alias],
  });
  const [svc] = Object.keys(own.services).filter((s) => account.github.appRepositories[s]);
  const roles = {
    apply,
    deploy: as(`${ownPrefix}-github-deploy-${svc}`),
    migrate: as(`${ownPrefix}-github-migrate`),
  };

  it.each(Object.keys(roles))('the %s role: the warning topic and its key through SNS', async (kind) => {
    const may = roles[kind as keyof typeof roles];
    expect(await may('sns:Publish', topic(ownPrefix))).toBe('Allowed');
    expect(await may('kms:GenerateDataKey', key, viaSns(`alias/${ownPrefix}-data`))).toBe('Allowed');
    // PowerUserAccess would allow these to the apply role: its notify-failures policy denies them.
    expect(await may('sns:Publish', topic(ownPrefix, 'critical'))).toBe('ExplicitlyDenied');
    expect(await may('sns:Publish', topic(otherPrefix))).toBe('ExplicitlyDenied');
    expect(await may('sns:Publish', `arn:aws:sns:${own.region}:${accountId}:${ownPrefix}-events`)).toBe(
      'ExplicitlyDenied',
    );
  });

  it("the deploy and migration roles: not the topic's settings, nor the key outside SNS or another environment's", async () => {
    for (const may of [roles.deploy, roles.migrate]) {
      for (const action of ['sns:Subscribe', 'sns:SetTopicAttributes', 'sns:DeleteTopic'])
        expect(await may(action, topic(ownPrefix))).not.toBe('Allowed');
      expect(
        await may('kms:Decrypt', key, {
          'kms:ViaService': `s3.${own.region}.amazonaws.com`,
          'kms:ResourceAliases': [`alias/${ownPrefix}-data`],
        }),
      ).not.toBe('Allowed');
      expect(await may('kms:Decrypt', key, { 'kms:ResourceAliases': [`alias/${ownPrefix}-data`] })).not.toBe(
        'Allowed',
      );
      expect(await may('kms:GenerateDataKey', key, viaSns(`alias/${otherPrefix}-data`))).not.toBe('Allowed');
    }
  });

  it("the plan role publishes nothing (it is trusted from any branch: a pull request's token)", async () => {
    expect(await plan('sns:Publish', topic(ownPrefix))).not.toBe('Allowed');
  });

  it("the account apply role publishes to the account's warning topic (the baseline's), not an environment's", async () => {
    const accountTopic = (severity: string) =>
      `arn:aws:sns:${account.region}:${accountId}:${project}-alerts-${severity}`;
    expect(await accountApply('sns:Publish', accountTopic('warning'))).toBe('Allowed');
    expect(await accountApply('sns:Publish', accountTopic('critical'))).toBe('ExplicitlyDenied');
    expect(await accountApply('sns:Publish', topic(ownPrefix))).toBe('ExplicitlyDenied');
  });
});

describe(`the workload boundary of ${own.name} (on every role of its platform stack)`, () => {
  // The worst identity policy a workload role could be given: everything.
  const workload = (action: string, resource: string, context: EvalRequest['context'] = {}) =>
    decide({
      identity: [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
      boundary: p.managed(`${project}-workload-boundary-${own.name}`),
      principalArn: role(`${ownPrefix}-backend-task`),
      action,
      resource,
      context,
      resourcePolicy: resourcePolicyOf(resource),
    });

  it('leaves what workloads do, caps the rest', async () => {
    expect(await workload('s3:GetObject', `arn:aws:s3:::${ownPrefix}-media-${accountId}/a.jpg`)).toBe(
      'Allowed',
    );
    expect(
      await workload(
        'secretsmanager:GetSecretValue',
        `arn:aws:secretsmanager:${own.region}:${accountId}:secret:x`,
      ),
    ).toBe('Allowed');
    expect(await workload('iam:GetRole', role(`${ownPrefix}-backend-task`))).toBe('Allowed');
    // A service outside the ceiling.
    expect(
      await workload('redshift:CreateCluster', `arn:aws:redshift:${own.region}:${accountId}:cluster:x`),
    ).toBe('ImplicitlyDenied');
  });

  it('denies IAM changes, the pipeline roles, the audit trail, key and backup destruction, state', async () => {
    const denied: Array<[string, string, EvalRequest['context']?]> = [
      ['iam:CreateRole', role(`${ownPrefix}-escalate`), bounded],
      ['iam:AttachRolePolicy', role(`${ownPrefix}-backend-task`), bounded],
      ['iam:CreatePolicyVersion', workloadBoundaryArn],
      ['iam:CreatePolicyVersion', envBoundaryArn(own.name)],
      ['sts:AssumeRole', role(`${ownPrefix}-github-apply`)],
      ['organizations:LeaveOrganization', '*'],
      ['cloudtrail:StopLogging', `arn:aws:cloudtrail:${account.region}:${accountId}:trail/${project}`],
      ['guardduty:DeleteDetector', `arn:aws:guardduty:${account.region}:${accountId}:detector/abc`],
      ['kms:ScheduleKeyDeletion', `arn:aws:kms:${own.region}:${accountId}:key/1234`],
      ['backup:DeleteRecoveryPoint', `arn:aws:backup:${own.region}:${accountId}:recovery-point:abc`],
      ['s3:GetObject', stateKey(own.name)],
    ];
    for (const [action, resource, context] of denied)
      expect(`${action}: ${await workload(action, resource, context)}`).toBe(`${action}: ExplicitlyDenied`);
  });

  // A role the environment's apply role creates carries this boundary: it must not reach another
  // environment of the account (a security review found the account-wide boundary let it).
  it('keeps the role in its environment: tagged resources, buckets and roles of another are denied', async () => {
    const tagged = (env: string) => ({ 'aws:ResourceTag/Environment': env });
    const secret = `arn:aws:secretsmanager:${own.region}:${accountId}:secret:rds!db-1`;
    const key = `arn:aws:kms:${own.region}:${accountId}:key/1234`;
    expect(await workload('secretsmanager:GetSecretValue', secret, tagged(own.name))).toBe('Allowed');
    expect(await workload('secretsmanager:GetSecretValue', secret, tagged(other.name))).toBe(
      'ExplicitlyDenied',
    );
    expect(await workload('kms:Decrypt', key, tagged(other.name))).toBe('ExplicitlyDenied');
    const object = (prefix: string) => `arn:aws:s3:::${prefix}-media-${accountId}/a.jpg`;
    expect(await workload('s3:GetObject', object(ownPrefix))).toBe('Allowed');
    expect(await workload('s3:GetObject', object(otherPrefix))).toBe('ExplicitlyDenied');
    const toEcs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
    expect(await workload('iam:PassRole', role(`${ownPrefix}-backend-task`), toEcs)).toBe('Allowed');
    expect(await workload('iam:PassRole', role(`${otherPrefix}-db-migrate-execution`), toEcs)).toBe(
      'ExplicitlyDenied',
    );
    expect(await workload('sts:AssumeRole', role(`${otherPrefix}-backend-task`))).toBe('ExplicitlyDenied');
  });
});

describe('the pipeline roles of an EKS environment (only what its resources need)', () => {
  const eks = Object.values(registry.environments).find((e) => e.compute.platform === 'eks')!;
  const [eksSlug, eksAccount] = Object.entries(registry.accounts).find(
    ([, a]) => a.accountId === eks.accountId,
  )!;
  const q = pipelinePolicies(appStacks().state[eksSlug], eksAccount);
  const prefix = `${eksAccount.project}-${eks.name}`;
  const [svc] = Object.keys(eks.services).filter((s) => eksAccount.github.appRepositories[s]);
  const name = `${prefix}-github-deploy-${svc}`;
  const deploy = (action: string, resource: string, context: EvalRequest['context'] = {}) =>
    decide({
      identity: q.identity(name),
      boundary: q.managed(`${eksAccount.project}-pipeline-boundary`),
      principalArn: `arn:aws:iam::${eks.accountId}:role/${name}`,
      action,
      resource,
      context,
    });
  const ecs = (kind: string) => `arn:aws:ecs:${eks.region}:${eks.accountId}:${kind}`;

  it('pushes the image: the deploy role keeps the push', async () => {
    const repo = `arn:aws:ecr:${eks.region}:${eks.accountId}:repository/${prefix}-${svc}`;
    expect(await deploy('ecr:PutImage', repo)).toBe('Allowed');
    expect(await deploy('ecr:GetAuthorizationToken', '*')).toBe('Allowed');
  });

  it('holds no ECS deploy statement: nothing of ECS runs there (the cluster bootstrap rolls out)', async () => {
    const family = ecs(`task-definition/${prefix}-${svc}:3`);
    expect(
      await deploy('ecs:UpdateService', ecs(`service/${prefix}/${prefix}-${svc}`), {
        'ecs:task-definition': family,
      }),
    ).not.toBe('Allowed');
    expect(await deploy('ecs:RegisterTaskDefinition', family)).not.toBe('Allowed');
    expect(await deploy('ecs:DescribeTaskDefinition', '*')).not.toBe('Allowed');
    expect(
      await deploy('iam:PassRole', `arn:aws:iam::${eks.accountId}:role/${prefix}-${svc}-task`, {
        'iam:PassedToService': 'ecs-tasks.amazonaws.com',
      }),
    ).not.toBe('Allowed');
  });

  it("has no migration role (ECS run-task): the database bootstrap is the cluster bootstrap's", () => {
    const names = appStacks()
      .state[eksSlug].resources('aws_iam_role')
      .map(([, r]) => r.name as string);
    expect(names).toContain(name);
    expect(names.filter((n) => n.startsWith(`${prefix}-github-migrate`))).toEqual([]);
  });
});

describe('with state.useLockfile (S3-native locks)', () => {
  const accounts = accountsInputCopy();
  accounts[slug].state.useLockfile = true;
  const withLockfile = registryOf([envInput('dev')], accounts);
  const [lockSlug, lockAccount] = Object.entries(withLockfile.accounts)[0];
  const q = pipelinePolicies(synth(buildStacks(withLockfile).state[lockSlug]), lockAccount);
  const name = `${project}-dev-github-apply`;
  const applyWithLockfile = (action: string, resource: string) =>
    decide({
      identity: q.identity(name),
      boundary: q.managed(`${project}-pipeline-boundary`),
      principalArn: role(name),
      action,
      resource,
      resourcePolicy: q.bucketPolicy,
    });

  it("the apply role takes and releases its own key's .tflock object, and no other", async () => {
    for (const action of ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'])
      expect(await applyWithLockfile(action, `${stateKey('dev')}.tflock`)).toBe('Allowed');
    expect(await applyWithLockfile('s3:PutObject', `${stateKey('staging')}.tflock`)).not.toBe('Allowed');
    // The state itself is written, never deleted.
    expect(await applyWithLockfile('s3:DeleteObject', stateKey('dev'))).not.toBe('Allowed');
  });
});

describe('the state replica (a regional outage: _deploy.yml with state: replica)', () => {
  // The account recovers into a region: its state is replicated there (state-replica.ts), and the
  // pipeline roles may use their own keys there (state-replica-access.ts).
  const r = p;
  const replicaPolicy = JSON.parse(
    stateStack.resources('aws_s3_bucket_policy').find(([, x]) => x.provider === 'aws.recovery')![1].policy,
  );
  const replicaKey = (prefix: string) => `${replicaBucketArn}/${project}/${prefix}/terraform.tfstate`;
  const viaS3 = {
    'kms:ViaService': `s3.${recovery}.amazonaws.com`,
    'aws:ResourceTag/Environment': 'account',
  };
  const as = (name: string) => {
    const identity = r.identity(name);
    return (action: string, resource: string, context: EvalRequest['context'] = {}): Promise<Decision> =>
      decide({
        identity,
        boundary: r.managed(`${project}-pipeline-boundary`),
        principalArn: role(name),
        action,
        resource,
        context,
        resourcePolicy: resource.startsWith(replicaBucketArn)
          ? replicaPolicy
          : resource.startsWith('arn:aws:kms:')
            ? keyPolicy
            : undefined,
      });
  };
  const replicaApply = as(`${project}-${own.name}-github-apply`);
  const replicaPlan = as(`${project}-${own.name}-github-plan`);
  const replicaAccountApply = as(`${project}-acct-${slug}-github-apply`);

  it('exists for this account, in its recovery region', () => {
    expect(recovery).toBeDefined();
    expect(recovery).not.toBe(state.region);
  });

  it('the apply role reads and writes its own key there, with its .tflock, through S3 with the replica key', async () => {
    expect(await replicaApply('s3:ListBucket', replicaBucketArn)).toBe('Allowed');
    for (const action of ['s3:GetObject', 's3:PutObject'])
      expect(await replicaApply(action, replicaKey(own.name))).toBe('Allowed');
    for (const action of ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'])
      expect(await replicaApply(action, `${replicaKey(own.name)}.tflock`)).toBe('Allowed');
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt'])
      expect(await replicaApply(action, replicaKeyArn, viaS3)).toBe('Allowed');
  });

  it("the apply role: not another environment's key, no deletes of state or versions, no settings, the key only through S3", async () => {
    for (const action of ['s3:GetObject', 's3:PutObject']) {
      expect(await replicaApply(action, replicaKey(other.name))).toBe('ExplicitlyDenied');
      expect(
        await replicaApply(action, `${replicaBucketArn}/${project}/accounts/${slug}/state.tfstate`),
      ).toBe('ExplicitlyDenied');
    }
    expect(await replicaApply('s3:PutObject', `${replicaKey(other.name)}.tflock`)).toBe('ExplicitlyDenied');
    expect(await replicaApply('s3:DeleteObject', replicaKey(own.name))).toBe('ExplicitlyDenied');
    for (const o of [replicaKey(own.name), `${replicaKey(own.name)}.tflock`])
      expect(await replicaApply('s3:DeleteObjectVersion', o)).toBe('ExplicitlyDenied');
    for (const action of [
      's3:PutBucketPolicy',
      's3:DeleteBucketPolicy',
      's3:PutReplicationConfiguration',
      's3:PutBucketVersioning',
      's3:PutBucketObjectLockConfiguration',
      's3:PutLifecycleConfiguration',
      's3:DeleteBucket',
    ])
      expect(`${action}: ${await replicaApply(action, replicaBucketArn)}`).toBe(
        `${action}: ExplicitlyDenied`,
      );
    expect(
      await replicaApply('kms:Decrypt', replicaKeyArn, { 'aws:ResourceTag/Environment': 'account' }),
    ).toBe('ExplicitlyDenied');
    expect(
      await replicaApply('kms:Decrypt', replicaKeyArn, {
        'kms:ViaService': `ssm.${recovery}.amazonaws.com`,
        'aws:ResourceTag/Environment': 'account',
      }),
    ).toBe('ExplicitlyDenied');
    for (const action of ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:CreateGrant'])
      expect(`${action}: ${await replicaApply(action, replicaKeyArn, viaS3)}`).toBe(
        `${action}: ExplicitlyDenied`,
      );
  });

  it('the plan role reads its own key there and decrypts it through S3; it writes nothing and takes no lock', async () => {
    expect(await replicaPlan('s3:ListBucket', replicaBucketArn)).toBe('Allowed');
    expect(await replicaPlan('s3:GetObject', replicaKey(own.name))).toBe('Allowed');
    expect(await replicaPlan('kms:Decrypt', replicaKeyArn, viaS3)).toBe('Allowed');
    expect(await replicaPlan('s3:GetObject', replicaKey(other.name))).toBe('ExplicitlyDenied');
    expect(
      await replicaPlan('kms:Decrypt', replicaKeyArn, { 'aws:ResourceTag/Environment': 'account' }),
    ).toBe('ExplicitlyDenied');
    for (const action of ['s3:PutObject', 's3:DeleteObject'])
      for (const o of [replicaKey(own.name), `${replicaKey(own.name)}.tflock`])
        expect(`${action} ${o}: ${await replicaPlan(action, o)}`).not.toBe(`${action} ${o}: Allowed`);
    expect(await replicaPlan('s3:DeleteObjectVersion', replicaKey(own.name))).toBe('ExplicitlyDenied');
    expect(await replicaPlan('s3:PutBucketPolicy', replicaBucketArn)).not.toBe('Allowed');
    expect(await replicaPlan('kms:GenerateDataKey', replicaKeyArn, viaS3)).not.toBe('Allowed');
  });

  it("the account apply role writes the account's keys there, no environment's; it manages the replica bucket (state stack)", async () => {
    const accountKey = `${replicaBucketArn}/${project}/accounts/${slug}/state.tfstate`;
    expect(await replicaAccountApply('s3:PutObject', accountKey)).toBe('Allowed');
    expect(await replicaAccountApply('s3:PutObject', `${accountKey}.tflock`)).toBe('Allowed');
    expect(await replicaAccountApply('kms:GenerateDataKey', replicaKeyArn, viaS3)).toBe('Allowed');
    expect(await replicaAccountApply('s3:PutObject', replicaKey(own.name))).toBe('ExplicitlyDenied');
    expect(await replicaAccountApply('s3:DeleteObjectVersion', accountKey)).toBe('ExplicitlyDenied');
    expect(
      await replicaAccountApply('kms:Decrypt', replicaKeyArn, { 'aws:ResourceTag/Environment': 'account' }),
    ).toBe('ExplicitlyDenied');
    // As on the state bucket: the role that applies the state stack keeps the replica's settings.
    expect(
      await replicaAccountApply('s3:PutBucketPolicy', replicaBucketArn, {
        'aws:ResourceTag/Environment': 'account',
      }),
    ).toBe('Allowed');
  });

  it("a deploy role reaches no state there: its policies name none, the replica's bucket policy admits it not", async () => {
    const service = Object.keys(own.services).find((x) => account.github.appRepositories[x])!;
    const deployer = `${ownPrefix}-github-deploy-${service}`;
    for (const action of ['s3:GetObject', 's3:PutObject'])
      expect(await as(deployer)(action, replicaKey(own.name))).toBe('ExplicitlyDenied');
    const admitted = replicaPolicy.Statement.find(
      (x: { Sid: string }) => x.Sid === 'DenyAllButNamedPrincipals',
    ).Condition.StringNotLike['aws:PrincipalArn'];
    expect(admitted).not.toContain(role(deployer));
    expect(admitted).toEqual(
      expect.arrayContaining([role(`${ownPrefix}-github-apply`), role(`${ownPrefix}-github-plan`)]),
    );
  });
});

describe('the state replica, by the boundaries alone (defence beside the inline fences and the bucket policy)', () => {
  const replicaObject = `${replicaBucketArn}/${project}/${own.name}/terraform.tfstate`;
  const everything = [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }];
  const bounded = (boundaryName: string, principal: string) => (action: string, resource: string) =>
    decide({
      identity: everything,
      boundary: p.managed(boundaryName),
      principalArn: role(principal),
      action,
      resource,
      context: {},
    });

  it("an environment's workload roles reach nothing of the replica", async () => {
    const task = bounded(`${project}-workload-boundary-${own.name}`, `${ownPrefix}-backend-task`);
    for (const [action, resource] of [
      ['s3:GetObject', replicaObject],
      ['s3:PutObject', replicaObject],
      ['s3:ReplicateObject', replicaObject],
      ['s3:PutBucketPolicy', replicaBucketArn],
    ])
      expect(`${action}: ${await task(action, resource)}`).toBe(`${action}: ExplicitlyDenied`);
  });

  it("the account's workload roles: the replication role writes replicas and nothing else there; others nothing", async () => {
    const boundaryName = `${project}-workload-boundary`;
    const replication = bounded(boundaryName, `${project}-state-replication`);
    for (const action of ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'])
      expect(`${action}: ${await replication(action, replicaObject)}`).toBe(`${action}: Allowed`);
    for (const [action, resource] of [
      ['s3:GetObject', replicaObject],
      ['s3:PutObject', replicaObject],
      ['s3:PutBucketPolicy', replicaBucketArn],
    ])
      expect(`${action}: ${await replication(action, resource)}`).toBe(`${action}: ExplicitlyDenied`);
    const other = bounded(boundaryName, `${project}-baseline-config`);
    expect(await other('s3:ReplicateObject', replicaObject)).toBe('ExplicitlyDenied');
  });

  it("the pipeline boundary keeps the replica's settings to the account apply role", async () => {
    const envApply = bounded(`${project}-pipeline-boundary`, `${ownPrefix}-github-apply`);
    const acctApply = bounded(`${project}-pipeline-boundary`, `${project}-acct-${slug}-github-apply`);
    for (const action of ['s3:PutBucketPolicy', 's3:PutReplicationConfiguration', 's3:PutBucketVersioning']) {
      expect(`${action}: ${await envApply(action, replicaBucketArn)}`).toBe(`${action}: ExplicitlyDenied`);
      expect(`${action}: ${await acctApply(action, replicaBucketArn)}`).toBe(`${action}: Allowed`);
    }
  });
});
