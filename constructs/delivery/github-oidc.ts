import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { waiveGuardrail } from '../core/guardrails';
import { policyDocument, type PolicyStatement } from '../core/iam';
import { type AlertTopicScope, namePrefix, pipelineRoleNames } from '../core/naming';
import { declareContract, type RoleContract } from '../core/role-contract';
import {
  environmentWorkloadBoundaryStatements,
  pipelineBoundaryStatements,
  type StateResources,
  workloadBoundaryStatements,
} from './boundaries';
import {
  accountPipelineStatements,
  applyIamStatements,
  environmentFenceStatements,
  type ManagedRoles,
  planDataDenyStatements,
  planFenceStatements,
  type StateAccess,
  stateReadStatements,
  stateResourceArns,
  stateWriteStatements,
} from './pipeline-policies';
import {
  accountApplyContract,
  type ApplyIam,
  type ContractScope,
  environmentApplyContract,
  failureNotificationRequests,
  migrateContract,
  type NotifyStep,
  planContract,
  withFailureNotification,
} from './pipeline-contracts';
import { failureNotificationStatements } from './notify-policies';
import {
  otherRepositoryTokens,
  serviceDeployRole,
  serviceMigrateRole,
  siteDeployRole,
} from './app-repository-roles';
import { migrateStatements } from './deploy-policies';
import { PASSED_TO_SERVICES } from './stack-services';
import type { StateReplicaAccess } from './state-replica-access';
import {
  type GitHubClaims,
  type GitHubToken,
  githubTrust,
  MAIN,
  migrateEnvironment,
  type RepositoryIds,
} from './trust';
import {
  iamArn,
  pipelineBoundaryArn,
  pipelineRolePattern,
  type PipelineScope,
  workloadBoundariesPattern,
  workloadBoundaryArn,
} from './statements';

export { GITHUB_OIDC_HOST, migrateEnvironment } from './trust';

/** The roles of the baseline stack (`<project>-<component>`), the account apply role's to manage. */
export const BASELINE_ROLE_COMPONENTS = ['cloudtrail-logs', 'config', 'state-replication'] as const;
/** The service each baseline role is passed to: the trail's log delivery, the Config recorder. */
const BASELINE_PASSED_TO = {
  'cloudtrail-logs': 'cloudtrail.amazonaws.com',
  config: 'config.amazonaws.com',
  // The state bucket's replication (state stack, constructs/state/state-replica.ts).
  'state-replication': 's3.amazonaws.com',
} as const satisfies Record<(typeof BASELINE_ROLE_COMPONENTS)[number], string>;
export const BASELINE_PASSED_TO_SERVICES = Object.values(BASELINE_PASSED_TO);
/** The Terraform type that passes a role to each service (what a contract's PassRole names as caller). */
const PASSED_BY: Record<(typeof PASSED_TO_SERVICES)[number], string> = {
  'backup.amazonaws.com': 'aws_backup_selection (iam_role_arn)',
  'cloudtrail.amazonaws.com': 'aws_cloudtrail (cloud_watch_logs_role_arn)',
  'codedeploy.amazonaws.com': 'aws_codedeploy_deployment_group (service_role_arn)',
  'cognito-identity.amazonaws.com': 'aws_cognito_identity_pool_roles_attachment',
  'config.amazonaws.com': 'aws_config_configuration_recorder (role_arn)',
  'ec2.amazonaws.com': 'aws_instance / aws_launch_template (iam_instance_profile)',
  'ecs-tasks.amazonaws.com': 'aws_ecs_task_definition (task_role_arn, execution_role_arn)',
  'eks.amazonaws.com': 'aws_eks_cluster (role_arn)',
  'events.amazonaws.com': 'aws_cloudwatch_event_target (role_arn)',
  'lambda.amazonaws.com': 'aws_lambda_function (role)',
  'monitoring.rds.amazonaws.com': 'aws_db_instance (monitoring_role_arn)',
  'pods.eks.amazonaws.com': 'aws_eks_pod_identity_association (role_arn)',
  'rds.amazonaws.com': 'aws_db_proxy (role_arn)',
  's3.amazonaws.com': 'aws_s3_bucket_replication_configuration (role)',
  'vpc-flow-logs.amazonaws.com': 'aws_flow_log (iam_role_arn)',
};
const passes = (services: readonly (typeof PASSED_TO_SERVICES)[number][]) =>
  Object.fromEntries(services.map((svc) => [svc, PASSED_BY[svc]]));

export interface PipelineEnvironment {
  readonly name: string;
  readonly region: string;
  /** Deploys on release tags (`deploy.trigger: 'tag'`): its apply role also trusts `refs/tags/v*`. */
  readonly releaseTags: boolean;
  /** The environment's services (each with a repository in `appRepositories` gets a deploy role). */
  readonly services: readonly string[];
  /** Services with `migrations`: on ECS, each with a repository gets a migration role for app-image. */
  readonly migratingServices: readonly string[];
  /** A static frontend (`frontend.mode: static`): its repository gets the site deploy role. */
  readonly staticSite: boolean;
  /**
   * ECS runs the services (`compute.platform: fargate`): the deploy roles roll them out and the
   * migration roles run ECS tasks. Otherwise (EKS) the deploy roles push images only and there is no
   * migration role: the cluster's bootstrap rolls images out and runs the database bootstrap.
   */
  readonly ecs: boolean;
  /** The environment has a database (and on ECS its migration task): the `<env>` migration role. */
  readonly database: boolean;
  /**
   * Production tier with a database and a backup plan: the apply and migration jobs back the
   * database up before the change (scripts/workflows/backup-before-change.ts). Default: false.
   */
  readonly backupBeforeChanges?: boolean;
}

export interface GitHubPipelineProps extends PipelineScope {
  /** `owner/name` of this infrastructure repository. */
  readonly repository: string;
  /** Service -> `owner/name` of the application repository whose image workflow deploys it. */
  readonly appRepositories: Readonly<Record<string, string>>;
  /** `owner/name` -> GitHub's ids of the repository and its owner: every trust pins them. */
  readonly repositoryIds: Readonly<Record<string, RepositoryIds>>;
  readonly environments: readonly PipelineEnvironment[];
  /** The region of the account's alert topics (the baseline's): the account apply job's failures go there. */
  readonly alertsRegion: string;
  /**
   * The state bucket is replicated (state-replica.ts): the account's workload boundary lets the
   * replication role, and it alone, read the bucket's versions for replication. Default: false.
   */
  readonly stateReplication?: boolean;
  /**
   * The state replica the plan and apply roles may use during a regional outage (with
   * `stateReplication`; state-replica-access.ts). Default: none.
   */
  readonly stateReplica?: StateReplicaAccess;
  readonly state: StateResources & {
    readonly bucket: string;
    readonly region: string;
    readonly kmsKeyArn: string;
    /** Terraform's S3-native lock files beside the lock table (`state.useLockfile`). */
    readonly lockfile: boolean;
  };
}

/**
 * Keyless access for GitHub Actions (docs/architecture.md, "Security model"): the OIDC provider, the
 * pipeline and workload boundaries, and per environment
 * - plan (`<env>-plan`, any ref): ReadOnlyAccess minus data reads, its own state key;
 * - apply (`<env>`, main or release tags, through `_deploy.yml`): PowerUserAccess fenced to the
 *   environment, roles only as `<project>-<env>-*` under the workload boundary, its own state key;
 * - deploy, one per service (`<env>` in the service's repository, through `app-image.yml` on main):
 *   on ECS push and roll out, on EKS push only;
 * - site deploy with a static frontend (`<env>` in the site's repository, through `frontend-deploy.yml`);
 * - on ECS with a database, migrate (`<env>-migrate` in this repository, main, through
 *   `db-migrate.yml`): runs the database migration task (database-admin power, so not on the deploy
 *   roles), and per service with `migrations` its own (`<env>-migrate` in the service's repository).
 * Plus the account's plan (`account-<account>-plan`) and apply (`account-<account>`, main) roles.
 * Every role carries the pipeline boundary, pins its repository's ids and declares its contract;
 * no two roles accept the same token. Every role a deploying job holds (all but the plan roles) may
 * publish that job's failure to its environment's warning topic, and to no other topic
 * (notify-policies.ts).
 */
export class GitHubPipeline extends Construct {
  readonly provider: IamOpenidConnectProvider;
  readonly boundary: IamPolicy;
  readonly workloadBoundary: IamPolicy;
  readonly roles: Record<string, IamRole> = {};
  /** The state replica the roles may use during an outage (with `stateReplication`). */
  readonly stateReplica?: StateReplicaAccess;

  constructor(
    scope: Construct,
    id: string,
    readonly props: GitHubPipelineProps,
  ) {
    super(scope, id);
    const { project } = props;
    this.stateReplica = props.stateReplica;
    this.provider = new IamOpenidConnectProvider(this, 'Provider', {
      url: 'https://token.actions.githubusercontent.com',
      clientIdList: ['sts.amazonaws.com'],
      thumbprintList: [
        '6938fd4d98bab03faadb97b34396831e3780aea1',
        '1c58a3a8518e8759bf075b76b750d4f2df264fcd',
      ],
    });
    this.boundary = new IamPolicy(this, 'Boundary', {
      name: pipelineRoleNames.boundary(project),
      description:
        "Permissions boundary of every pipeline role: the stacks' services, no pipeline or audit changes",
      policy: policyDocument(pipelineBoundaryStatements(props, props.state)),
    });
    this.workloadBoundary = new IamPolicy(this, 'WorkloadBoundary', {
      name: pipelineRoleNames.workloadBoundary(project),
      description: 'Permissions boundary of every role the platform and baseline stacks create',
      policy: policyDocument(
        workloadBoundaryStatements(props, props.state, { stateReplication: props.stateReplication }),
      ),
    });
    // A boundary grants nothing: it caps the roles that carry it, by service.
    const ceiling = 'a permissions boundary is a ceiling by service; the bounded roles grant the actions';
    waiveGuardrail(this.boundary, 'iam-wildcard', ceiling);
    waiveGuardrail(this.workloadBoundary, 'iam-wildcard', ceiling);

    const names = props.environments.map((e) => e.name);
    for (const env of props.environments) {
      // The roles of this environment's platform stack carry a boundary fenced to the environment.
      const envBoundary = new IamPolicy(this, `${env.name}WorkloadBoundary`, {
        name: pipelineRoleNames.workloadBoundary(project, env.name),
        description: `Permissions boundary of every role the ${env.name} platform stack creates`,
        policy: policyDocument(
          environmentWorkloadBoundaryStatements(
            props,
            props.state,
            env.name,
            names.filter((n) => n !== env.name),
          ),
        ),
      });
      waiveGuardrail(envBoundary, 'iam-wildcard', ceiling);
      this.environmentRoles(env);
    }
    this.accountRoles();
  }

  /** The claims every contract evaluates: the provider, the account, its environments. */
  get contractScope(): ContractScope {
    const { project, accountId, accountSlug } = this.props;
    return {
      project,
      accountId,
      accountSlug,
      providerArn: this.provider.arn,
      pipelineBoundaryArn: pipelineBoundaryArn(this.props),
      environments: this.props.environments.map((e) => e.name),
    };
  }

  /** The ids of `repository` (`owner/name`), which config must carry (accounts.ts, `repositoryIds`). */
  idsOf(repository: string): RepositoryIds {
    const ids = this.props.repositoryIds[repository];
    if (!ids) throw new Error(`github.repositoryIds has no entry for ${repository}`);
    return ids;
  }

  /**
   * The claims of a job of `repository` in GitHub environment `environment` running `workflow` (of
   * this repository): a job of this repository runs it at its own ref; an application repository
   * calls it at main (`uses: <this repository>/.github/workflows/<workflow>@main`).
   */
  token(repository: string, environment: string, workflow?: string, ref = MAIN): GitHubToken {
    const at = repository === this.props.repository ? ref : MAIN;
    return {
      sub: `repo:${repository}:environment:${environment}`,
      repository: this.idsOf(repository),
      ref,
      ...(workflow ? { workflow: `${this.props.repository}/.github/workflows/${workflow}@${at}` } : {}),
    };
  }

  /** Claims for a trust policy: `token`'s subject and ids, and the refs (and workflow) it may run at. */
  private claims(
    repository: string,
    environment: string,
    refs?: readonly string[],
    workflow?: string,
  ): GitHubClaims {
    return {
      sub: `repo:${repository}:environment:${environment}`,
      repository: this.idsOf(repository),
      ...(refs ? { ref: refs } : {}),
      ...(refs && workflow
        ? { workflows: refs.map((r) => `${this.props.repository}/.github/workflows/${workflow}@${r}`) }
        : {}),
    };
  }

  private stateAccess(keys: readonly string[]): StateAccess {
    const { state } = this.props;
    return {
      bucketArn: state.bucketArn,
      lockTableArn: state.lockTableArn,
      kmsKeyArn: state.kmsKeyArn,
      region: state.region,
      bucket: state.bucket,
      keys,
      lockfile: state.lockfile,
      ...(this.stateReplica ? { replica: this.stateReplica } : {}),
    };
  }

  private environmentRoles(env: PipelineEnvironment): void {
    const { project, accountId, repository } = this.props;
    const s = this.contractScope;
    const prefix = namePrefix(project, env.name);
    const access = this.stateAccess([`${project}/${env.name}/terraform.tfstate`]);
    const refs = env.releaseTags ? [MAIN, 'refs/tags/v1.2.0'] : [MAIN];
    const trustRefs = env.releaseTags ? [MAIN, 'refs/tags/v*'] : [MAIN];
    const applyTokens = refs.map((r) => this.token(repository, env.name, '_deploy.yml', r));
    const planToken = this.token(repository, `${env.name}-plan`, '_deploy.yml');
    const migrates = env.ecs && env.database;
    const migrateToken = this.token(repository, migrateEnvironment(env.name), 'db-migrate.yml');

    const plan = this.planRole(
      `${env.name}Plan`,
      pipelineRoleNames.plan(project, env.name),
      access,
      this.claims(repository, `${env.name}-plan`),
      // The state bucket, lock table and key (and the replica's) are tagged `account`: its state calls stay.
      { tag: env.name, exempt: stateResourceArns(access) },
    );
    declareContract(
      plan,
      planContract(s, {
        name: pipelineRoleNames.plan(project, env.name),
        env: env.name,
        state: access,
        region: env.region,
        resourcePrefix: prefix,
        roleName: `${prefix}-backend-task`,
        token: planToken,
        otherTokens: [applyTokens[0], ...(migrates ? [migrateToken] : [])],
      }),
    );

    // S3 is passed both the state replication role (baseline) and an environment's data replication role.
    const envPasses = passes(
      PASSED_TO_SERVICES.filter(
        (p) => p === 's3.amazonaws.com' || !(BASELINE_PASSED_TO_SERVICES as readonly string[]).includes(p),
      ),
    );
    const iam: ApplyIam = {
      roles: [{ name: `${prefix}-backend-task`, passes: envPasses }],
      boundaryArn: workloadBoundaryArn(this.props, env.name),
      profileName: `${prefix}-bastion`,
    };
    const apply = this.applyRole(
      `${env.name}Apply`,
      pipelineRoleNames.apply(project, env.name),
      access,
      {
        tag: env.name,
        state: access,
        bucketPrefix: prefix,
        ecs: {
          clusterArn: `arn:aws:ecs:${env.region}:${accountId}:cluster/${prefix}`,
          taskDefinitionArns: `arn:aws:ecs:${env.region}:${accountId}:task-definition/${prefix}-*`,
        },
      },
      this.claims(repository, env.name, trustRefs, '_deploy.yml'),
      [
        {
          roleArns: [iamArn(accountId, 'role', `${prefix}-*`)],
          boundaryArn: iam.boundaryArn,
          profileArns: [iamArn(accountId, 'instance-profile', `${prefix}-*`)],
          passedTo: Object.keys(envPasses),
        },
      ],
    );
    declareContract(
      apply,
      this.notifying(
        apply,
        `${env.name}Apply`,
        environmentApplyContract(s, {
          env: env.name,
          region: env.region,
          state: access,
          iam,
          backup: env.backupBeforeChanges ?? false,
          tokens: applyTokens,
          otherTokens: [planToken, ...(migrates ? [migrateToken] : [])],
        }),
        { scope: this.alertScope(env), steps: ['notifyApply'], managesTopic: true },
      ),
    );

    for (const service of env.services) serviceDeployRole(this, env, service);
    if (env.ecs) for (const service of env.migratingServices) serviceMigrateRole(this, env, service);
    if (env.staticSite) siteDeployRole(this, env);
    if (migrates) this.migrateRole(env, [applyTokens[0], planToken]);
  }

  private accountRoles(): void {
    const { project, accountId, accountSlug: slug, repository } = this.props;
    const s = this.contractScope;
    const access = this.stateAccess([
      `${project}/accounts/${slug}/terraform.tfstate`,
      `${project}/accounts/${slug}/state.tfstate`,
    ]);
    const planToken = this.token(repository, `account-${slug}-plan`, '_deploy.yml');
    const applyToken = this.token(repository, `account-${slug}`, '_deploy.yml');
    const plan = this.planRole(
      'accountPlan',
      pipelineRoleNames.accountPlan(project, slug),
      access,
      this.claims(repository, `account-${slug}-plan`),
      { tag: 'account', exempt: [] },
    );
    declareContract(
      plan,
      planContract(s, {
        name: pipelineRoleNames.accountPlan(project, slug),
        state: access,
        region: this.props.state.region,
        resourcePrefix: project,
        roleName: `${project}-config`,
        token: planToken,
        otherTokens: [applyToken],
      }),
    );
    const pipelineRoles: ApplyIam = {
      roles: [{ name: pipelineRoleNames.plan(project, s.environments[0] ?? 'elsewhere'), passes: {} }],
      boundaryArn: pipelineBoundaryArn(this.props),
    };
    const baselineRoles: ApplyIam = {
      roles: BASELINE_ROLE_COMPONENTS.map((c) => ({
        name: `${project}-${c}`,
        passes: passes([BASELINE_PASSED_TO[c]]),
      })),
      boundaryArn: workloadBoundaryArn(this.props),
    };
    const apply = this.applyRole(
      'accountApply',
      pipelineRoleNames.accountApply(project, slug),
      access,
      { tag: 'account', state: access },
      this.claims(repository, `account-${slug}`, [MAIN], '_deploy.yml'),
      [
        {
          roleArns: [pipelineRolePattern(this.props)],
          boundaryArn: pipelineRoles.boundaryArn,
          profileArns: [],
          passedTo: [],
        },
        {
          roleArns: BASELINE_ROLE_COMPONENTS.map((c) => iamArn(accountId, 'role', `${project}-${c}`)),
          boundaryArn: baselineRoles.boundaryArn,
          profileArns: [],
          passedTo: BASELINE_PASSED_TO_SERVICES,
        },
      ],
    );
    const boundaryArns = [pipelineBoundaryArn(this.props), workloadBoundariesPattern(this.props)];
    this.inline(
      apply,
      'accountApplyPipeline',
      'manage-pipeline',
      accountPipelineStatements(this.props, boundaryArns),
    );
    declareContract(
      apply,
      this.notifying(
        apply,
        'accountApply',
        accountApplyContract(s, {
          state: access,
          pipelineRoles,
          baselineRoles,
          boundaryArns,
          token: applyToken,
          otherTokens: [planToken],
          region: this.props.state.region,
        }),
        // The account's own topics (baseline), which its apply role creates.
        { scope: this.alertScope(), steps: ['notifyApply'], managesTopic: true },
      ),
    );
  }

  role(key: string, name: string, claims: GitHubClaims, maxSessionDuration: number): IamRole {
    const role = new IamRole(this, `${key}Role`, {
      name,
      assumeRolePolicy: githubTrust(this.provider.arn, claims),
      permissionsBoundary: this.boundary.arn,
      maxSessionDuration,
    });
    this.roles[key] = role;
    return role;
  }

  inline(role: IamRole, id: string, name: string, statements: PolicyStatement[]): void {
    new IamRolePolicy(this, id, { role: role.id, name, policy: policyDocument(statements) });
  }

  /**
   * Plan: ReadOnlyAccess minus data reads, fenced to its `tag` as its apply role is (`exempt`: the
   * account-tagged state resources an environment's plan role reads), plus its own state read (no lock).
   */
  private planRole(
    key: string,
    name: string,
    state: StateAccess,
    claims: GitHubClaims,
    fence: { readonly tag: string; readonly exempt: readonly string[] },
  ): IamRole {
    const role = this.role(key, name, claims, 3600);
    new IamRolePolicyAttachment(this, `${key}ReadOnly`, {
      role: role.name,
      policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });
    this.inline(role, `${key}State`, 'terraform-state', stateReadStatements(state));
    this.inline(role, `${key}NoData`, 'no-data-reads', [
      ...planDataDenyStatements(state),
      ...planFenceStatements(fence.tag, fence.exempt),
    ]);
    return role;
  }

  /** Apply: PowerUserAccess fenced to one environment, IAM only for its bounded roles, its own state. */
  private applyRole(
    key: string,
    name: string,
    state: StateAccess,
    fence: Parameters<typeof environmentFenceStatements>[0],
    claims: GitHubClaims,
    managed: ManagedRoles[],
  ): IamRole {
    const role = this.role(key, name, claims, 7200);
    // Exception (docs/architecture.md): Terraform applies everything the stacks hold. PowerUserAccess
    // (all but IAM and Organizations) under the pipeline boundary, which caps it to the stacks' services.
    const powerUser = new IamRolePolicyAttachment(this, `${key}PowerUser`, {
      role: role.name,
      policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
    });
    waiveGuardrail(
      powerUser,
      'iam-wildcard',
      'Terraform apply role: PowerUserAccess under the pipeline boundary',
    );
    managed.forEach((m, i) => {
      const suffix = i === 0 ? '' : `${i + 1}`;
      this.inline(role, `${key}Iam${suffix}`, `manage-iam-roles${suffix}`, applyIamStatements(m));
    });
    this.inline(role, `${key}State`, 'terraform-state', stateWriteStatements(state));
    this.inline(role, `${key}Fence`, 'environment-fence', environmentFenceStatements(fence));
    return role;
  }

  /**
   * The environment's database bootstrap (the master credential's task): only from the
   * infrastructure repository's main, in the `<env>-migrate` GitHub environment (its gate, and a
   * `sub` the apply role does not accept), through `db-migrate.yml`. No service's token, deploy or
   * migration, is accepted.
   */
  private migrateRole(env: PipelineEnvironment, otherTokens: readonly GitHubToken[]): void {
    const { project, accountId, repository } = this.props;
    const key = `${env.name}Migrate`;
    const role = this.role(
      key,
      pipelineRoleNames.migrate(project, env.name),
      this.claims(repository, migrateEnvironment(env.name), [MAIN], 'db-migrate.yml'),
      3600,
    );
    this.inline(
      role,
      `${key}Policy`,
      'run-migration',
      migrateStatements(
        { accountId, region: env.region, project, env: env.name },
        env.backupBeforeChanges ?? false,
      ),
    );
    declareContract(
      role,
      this.notifying(
        role,
        key,
        migrateContract(this.contractScope, {
          env: env.name,
          region: env.region,
          backup: env.backupBeforeChanges ?? false,
          token: this.token(repository, migrateEnvironment(env.name), 'db-migrate.yml'),
          otherTokens: [
            ...otherTokens,
            this.token(repository, env.name, 'db-migrate.yml'),
            // A service's tokens: its migrations' (`<env>-migrate`) and its deploy job's (`<env>`).
            ...otherRepositoryTokens(this, repository, migrateEnvironment(env.name), 'app-image.yml'),
            ...otherRepositoryTokens(this, repository, env.name, 'app-image.yml'),
          ],
        }),
        { scope: this.alertScope(env), steps: ['notifyMigration'] },
      ),
    );
  }

  /** Where an environment's alert topics are (without one: the account's, in the baseline's region). */
  alertScope(env?: PipelineEnvironment): AlertTopicScope {
    const { project, accountId, alertsRegion } = this.props;
    return env
      ? { project, accountId, region: env.region, environment: env.name }
      : { project, accountId, region: alertsRegion };
  }

  /**
   * The role publishes its jobs' failures (`steps`) to the warning topic of `scope`: the policy
   * `notify-failures` (notify-policies.ts) beside its own, and the requests in its contract. An apply
   * role (`managesTopic`) creates the topic: only the publish denies are its.
   */
  notifying(
    role: IamRole,
    key: string,
    contract: RoleContract,
    opts: {
      readonly scope: AlertTopicScope;
      readonly steps: readonly [NotifyStep, ...NotifyStep[]];
      readonly managesTopic?: boolean;
    },
  ): RoleContract {
    this.inline(role, `${key}Notify`, 'notify-failures', failureNotificationStatements(opts.scope));
    return withFailureNotification(
      contract,
      failureNotificationRequests(this.contractScope, {
        scope: opts.scope,
        steps: opts.steps,
        managesTopic: opts.managesTopic ?? false,
      }),
    );
  }
}
