import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { waiveGuardrail } from '../core/guardrails';
import { policyDocument, type PolicyStatement } from '../core/iam';
import { type AlertTopicScope, pipelineRoleNames } from '../core/naming';
import { type RoleContract } from '../core/role-contract';
import { accountRoles } from './account-roles';
import {
  environmentWorkloadBoundaryStatements,
  pipelineBoundaryStatements,
  type StateResources,
  workloadBoundaryStatements,
} from './boundaries';
import { environmentRoles } from './environment-roles';
import { failureNotificationStatements } from './notify-policies';
import {
  type ContractScope,
  failureNotificationRequests,
  type NotifyStep,
  withFailureNotification,
} from './pipeline-contracts';
import { jobToken, repositoryIdsOf } from './pipeline-trust';
import type { StateReplicaAccess } from './state-replica-access';
import { pipelineBoundaryArn, type PipelineScope } from './statements';
import { type GitHubClaims, type GitHubToken, githubTrust, MAIN, type RepositoryIds } from './trust';

export { GITHUB_OIDC_HOST, migrateEnvironment } from './trust';
export { BASELINE_PASSED_TO_SERVICES, BASELINE_ROLE_COMPONENTS } from './pipeline-passes';

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
      environmentRoles(this, env);
    }
    accountRoles(this);
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
    return repositoryIdsOf(this.props, repository);
  }

  /** The claims of a job of `repository` in GitHub environment `environment` running `workflow`. */
  token(repository: string, environment: string, workflow?: string, ref = MAIN): GitHubToken {
    return jobToken(this.props, repository, environment, workflow, ref);
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
