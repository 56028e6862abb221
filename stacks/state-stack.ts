import { Lazy, TerraformOutput, type TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';
import { StableAddressStack } from '../constructs/core/addresses';
import { GitHubPipeline } from '../constructs/delivery/github-oidc';
import { applyGuardrails } from '../constructs/core/guardrails';
import { pipelineRoleNames, roleArn, stateReplicationRoleName } from '../constructs/core/naming';
import { type KeyFence, StateBackend } from '../constructs/state/state-backend';
import { StateReplica, stateReplicaBucketName } from '../constructs/state/state-replica';
import { standardTags } from '../constructs/core/tagging';
import type { AccountConfig, EnvironmentConfig } from '../environments/schema';
import { configureAws, regionalProvider } from './aws';
import { localBackend, s3Backend } from './backend';

export interface StateStackProps {
  /** Account slug from accounts.ts, used in the stack name and the state key. */
  readonly accountSlug: string;
  readonly account: AccountConfig;
  /** The environments deploying into this account: each gets plan, apply and deploy roles. */
  readonly environments: readonly EnvironmentConfig[];
  /**
   * The account's recovery region (accountRecoveryRegion): the state bucket is replicated there.
   * Undefined: no replica.
   */
  readonly recoveryRegion?: string;
}

/**
 * `state-<account>`: the bootstrap stack. It creates the bucket, lock table and key every other stack
 * of the account keeps its state in. Its own state starts local (nothing exists yet to hold it) and
 * moves into the bucket once `account.stateBackend` is `s3` (README: "Bootstrap").
 */
export class StateStack extends StableAddressStack {
  readonly backend: StateBackend;
  readonly pipeline: GitHubPipeline;
  readonly replica?: StateReplica;

  constructor(scope: Construct, id: string, props: StateStackProps) {
    super(scope, id);
    const { account } = props;
    const { project, state } = account;
    configureAws(this, {
      region: state.region,
      accountId: account.accountId,
      tags: standardTags({ project, environment: 'account' }),
    });
    // The policy guardrails (docs/architecture.md, "Guardrails at synthesis"); the pipeline roles'
    // own waivers are set where they are made.
    applyGuardrails(this);

    if (account.stateBackend === 's3') {
      s3Backend(this, state, `${project}/accounts/${props.accountSlug}/state.tfstate`);
    } else {
      // Relative to cdktf.out/stacks/<stack>: the file lives in the repository root (git-ignored),
      // so a fresh synth does not lose it.
      localBackend(this, `../../../terraform.${id}.tfstate`);
    }

    this.backend = new StateBackend(this, 'StateBackend', {
      accountId: account.accountId,
      bucketName: state.bucket,
      lockTableName: state.lockTable,
      kmsKeyAlias: state.kmsKeyAlias,
      // Exactly the admins and the roles that run Terraform; names are deterministic, so the policy
      // does not wait for the roles (and survives their replacement).
      allowedPrincipalArns: [...account.adminPrincipalArns, ...pipelineStateRoles(props)],
      bucketServiceRoleArns: props.recoveryRegion ? [stateReplicationRoleArn(props)] : [],
      settingsPrincipalArns: [...account.adminPrincipalArns, accountRole(props, 'apply')],
      keyFences: stateKeyFences(props),
    });
    this.pipeline = new GitHubPipeline(this, 'GitHub', {
      project,
      accountSlug: props.accountSlug,
      accountId: account.accountId,
      repository: `${account.github.owner}/${account.github.repository}`,
      appRepositories: account.github.appRepositories,
      repositoryIds: account.github.repositoryIds,
      // The account's alert topics are the baseline's (account-alerts.ts), in its region.
      alertsRegion: account.region,
      stateReplication: props.recoveryRegion !== undefined,
      stateReplica: props.recoveryRegion
        ? {
            bucketArn: `arn:aws:s3:::${stateReplicaBucketName(state.bucket)}`,
            region: props.recoveryRegion,
            // The replica is made below (its role carries this pipeline's workload boundary).
            kmsKeyArn: Lazy.stringValue({ produce: () => this.replica!.key.arn }),
          }
        : undefined,
      environments: props.environments.map((e) => ({
        name: e.name,
        region: e.region,
        releaseTags: e.deploy.trigger === 'tag',
        services: Object.keys(e.services),
        migratingServices: Object.keys(e.services).filter((name) => e.services[name].migrations),
        staticSite: e.frontend.mode === 'static',
        // What the environment's pipeline roles may reach: ECS artefacts only where ECS runs.
        ecs: e.compute.platform === 'fargate',
        database: e.database !== undefined,
        backupBeforeChanges: e.tier === 'production' && e.database !== undefined && e.backup !== undefined,
      })),
      // Deterministic ARNs (names from config): the policies do not wait for the resources.
      state: {
        bucket: state.bucket,
        region: state.region,
        bucketArn: `arn:aws:s3:::${state.bucket}`,
        lockTableArn: `arn:aws:dynamodb:${state.region}:${account.accountId}:table/${state.lockTable}`,
        replicaBucketArn: props.recoveryRegion
          ? `arn:aws:s3:::${stateReplicaBucketName(state.bucket)}`
          : undefined,
        kmsKeyArn: this.backend.key.arn,
        lockfile: state.useLockfile,
      },
    });

    if (props.recoveryRegion) {
      const tags = standardTags({ project, environment: 'account' });
      const provider = regionalProvider(this, 'recovery', {
        region: props.recoveryRegion,
        accountId: account.accountId,
        tags,
      });
      this.replica = new StateReplica(this, 'StateReplica', {
        accountId: account.accountId,
        provider,
        region: props.recoveryRegion,
        sourceBucketName: state.bucket,
        sourceBucketArn: this.backend.bucket.arn,
        sourceKeyArn: this.backend.key.arn,
        sourceRegion: state.region,
        sourceDependsOn: [this.backend.bucket.node.findChild('Versioning') as TerraformResource],
        replicaBucketName: stateReplicaBucketName(state.bucket),
        replicaKmsKeyAlias: `${state.kmsKeyAlias}-replica`,
        roleName: stateReplicationRoleName(project),
        // By reference: the role waits for its boundary on the first apply.
        boundaryArn: this.pipeline.workloadBoundary.arn,
        // The admins (break glass, the copy back) and the roles that run Terraform (an outage).
        allowedPrincipalArns: [...account.adminPrincipalArns, ...pipelineStateRoles(props)],
      });
      new TerraformOutput(this, 'state_replica', {
        value: {
          bucket: this.replica.bucket.name,
          region: props.recoveryRegion,
          kms_key_arn: this.replica.key.arn,
        },
        description: 'The state replica a workflow points Terraform at during an outage (docs/runbooks.md)',
      });
    }

    new TerraformOutput(this, 'state_bucket', { value: this.backend.bucket.name });
    new TerraformOutput(this, 'lock_table', { value: this.backend.lockTable.name });
    new TerraformOutput(this, 'state_kms_key_arn', { value: this.backend.key.arn });
    new TerraformOutput(this, 'github_role_arns', {
      value: Object.fromEntries(Object.entries(this.pipeline.roles).map(([k, r]) => [k, r.arn])),
      description:
        'Roles the workflows assume (their ARNs are also derived from config in the generated workflows)',
    });
  }
}

function stateReplicationRoleArn(props: StateRoleProps): string {
  return roleArn(props.account.accountId, stateReplicationRoleName(props.account.project));
}

type StateRoleProps = Pick<StateStackProps, 'accountSlug' | 'account' | 'environments'>;

function accountRole(props: StateRoleProps, kind: 'plan' | 'apply'): string {
  const { project, accountId } = props.account;
  const name = kind === 'plan' ? pipelineRoleNames.accountPlan : pipelineRoleNames.accountApply;
  return roleArn(accountId, name(project, props.accountSlug));
}

/** Each environment's state key prefix admits its plan and apply roles and the admins; so does the account's. */
export function stateKeyFences(props: StateRoleProps): KeyFence[] {
  const { project, accountId, adminPrincipalArns } = props.account;
  return [
    ...props.environments.map((e) => ({
      prefix: `${project}/${e.name}/`,
      principalArns: [
        ...adminPrincipalArns,
        roleArn(accountId, pipelineRoleNames.plan(project, e.name)),
        roleArn(accountId, pipelineRoleNames.apply(project, e.name)),
      ],
    })),
    {
      prefix: `${project}/accounts/${props.accountSlug}/`,
      principalArns: [...adminPrincipalArns, accountRole(props, 'plan'), accountRole(props, 'apply')],
    },
  ];
}

/** ARNs of the roles that read or write state: plan and apply per environment, and the account's own. */
export function pipelineStateRoles(
  props: Pick<StateStackProps, 'accountSlug' | 'account' | 'environments'>,
): string[] {
  const id = props.account.accountId;
  return [
    ...props.environments.flatMap((e) => [
      roleArn(id, pipelineRoleNames.plan(props.account.project, e.name)),
      roleArn(id, pipelineRoleNames.apply(props.account.project, e.name)),
    ]),
    roleArn(id, pipelineRoleNames.accountPlan(props.account.project, props.accountSlug)),
    roleArn(id, pipelineRoleNames.accountApply(props.account.project, props.accountSlug)),
  ];
}
