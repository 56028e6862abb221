import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { waiveGuardrail } from '../core/guardrails';
import { namePrefix, pipelineRoleNames } from '../core/naming';
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
  type StateAccess,
  stateReadStatements,
  stateWriteStatements,
} from './pipeline-policies';
import { SITE_REPOSITORY_KEY } from '../../environments/schema/frontend';
import {
  migrateStatements,
  serviceDeployStatements,
  serviceMigrateStatements,
  siteDeployStatements,
} from './deploy-policies';
import { type GitHubClaims, githubTrust, MAIN } from './trust';
import {
  document,
  iamArn,
  pipelineBoundaryArn,
  pipelineRolePattern,
  type PipelineScope,
  type Statement,
  workloadBoundariesPattern,
  workloadBoundaryArn,
} from './statements';

export { GITHUB_OIDC_HOST } from './trust';

/** The roles of the baseline stack (`<project>-<component>`), the account apply role's to manage. */
export const BASELINE_ROLE_COMPONENTS = ['cloudtrail-logs', 'config'] as const;

export interface PipelineEnvironment {
  readonly name: string;
  readonly region: string;
  /** Deploys on release tags (`deploy.trigger: 'tag'`): its apply role also trusts `refs/tags/v*`. */
  readonly releaseTags: boolean;
  /** The environment's services (each with a repository in `appRepositories` gets a deploy role). */
  readonly services: readonly string[];
  /** Services with `migrations`: each with a repository gets a migration role for app-image. Default: none. */
  readonly migratingServices?: readonly string[];
  /** A static frontend (`frontend.mode: static`): its repository gets the site deploy role. */
  readonly staticSite: boolean;
}

export interface GitHubPipelineProps extends PipelineScope {
  /** `owner/name` of this infrastructure repository. */
  readonly repository: string;
  /** Service -> `owner/name` of the application repository whose image workflow deploys it. */
  readonly appRepositories: Readonly<Record<string, string>>;
  readonly environments: readonly PipelineEnvironment[];
  readonly state: StateResources & {
    readonly bucket: string;
    readonly region: string;
    readonly kmsKeyArn: string;
  };
}

/**
 * Keyless access for GitHub Actions (docs/architecture.md, "Security model"): the OIDC provider, the
 * pipeline and workload boundaries, and per environment
 * - plan (`<env>-plan`, any ref): ReadOnlyAccess minus data reads, its own state key;
 * - apply (`<env>`, main or release tags, through `_deploy.yml`): PowerUserAccess fenced to the
 *   environment, roles only as `<project>-<env>-*` under the workload boundary, its own state key;
 * - deploy, one per service (`<env>` in the service's repository, through `app-image.yml` on main);
 * - site deploy with a static frontend (`<env>` in the site's repository, through `frontend-deploy.yml`).
 * - migrate (`<env>` in this repository, main, through `db-migrate.yml`): runs the database
 *   migration task (database-admin power, so not on the deploy roles).
 * Plus the account's plan (`account-<account>-plan`) and apply (`account-<account>`, main) roles.
 * Every role carries the pipeline boundary.
 */
export class GitHubPipeline extends Construct {
  readonly provider: IamOpenidConnectProvider;
  readonly boundary: IamPolicy;
  readonly workloadBoundary: IamPolicy;
  readonly roles: Record<string, IamRole> = {};

  constructor(
    scope: Construct,
    id: string,
    private readonly props: GitHubPipelineProps,
  ) {
    super(scope, id);
    const { project } = props;
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
      policy: document(pipelineBoundaryStatements(props, props.state)),
    });
    this.workloadBoundary = new IamPolicy(this, 'WorkloadBoundary', {
      name: pipelineRoleNames.workloadBoundary(project),
      description: 'Permissions boundary of every role the platform and baseline stacks create',
      policy: document(workloadBoundaryStatements(props, props.state)),
    });
    // A boundary grants nothing: it caps the roles that carry it, by service.
    const ceiling = 'a permissions boundary is a ceiling by service; the bounded roles grant the actions';
    waiveGuardrail(this.boundary, 'iam-wildcard', ceiling);
    waiveGuardrail(this.workloadBoundary, 'iam-wildcard', ceiling);

    const repo = props.repository;
    const names = props.environments.map((e) => e.name);
    for (const env of props.environments) {
      // The roles of this environment's platform stack carry a boundary fenced to the environment.
      const envBoundary = new IamPolicy(this, `${env.name}WorkloadBoundary`, {
        name: pipelineRoleNames.workloadBoundary(project, env.name),
        description: `Permissions boundary of every role the ${env.name} platform stack creates`,
        policy: document(
          environmentWorkloadBoundaryStatements(
            props,
            props.state,
            env.name,
            names.filter((n) => n !== env.name),
          ),
        ),
      });
      waiveGuardrail(envBoundary, 'iam-wildcard', ceiling);
      const access = this.stateAccess(`${project}/${env.name}/`);
      const refs = env.releaseTags ? [MAIN, 'refs/tags/v*'] : [MAIN];
      this.planRole(`${env.name}Plan`, pipelineRoleNames.plan(project, env.name), access, {
        sub: `repo:${repo}:environment:${env.name}-plan`,
      });
      const prefix = namePrefix(project, env.name);
      this.applyRole(
        `${env.name}Apply`,
        pipelineRoleNames.apply(project, env.name),
        access,
        env.name,
        {
          sub: `repo:${repo}:environment:${env.name}`,
          ref: refs,
          workflows: refs.map((r) => `${repo}/.github/workflows/_deploy.yml@${r}`),
        },
        [
          {
            roleArns: [iamArn(props.accountId, 'role', `${prefix}-*`)],
            boundaryArn: workloadBoundaryArn(props, env.name),
            profileArns: [iamArn(props.accountId, 'instance-profile', `${prefix}-*`)],
          },
        ],
      );
      for (const service of env.services) this.serviceDeployRole(env, service);
      for (const service of env.migratingServices ?? []) this.serviceMigrateRole(env, service);
      if (env.staticSite) this.siteDeployRole(env);
      this.migrateRole(env);
    }
    const slug = props.accountSlug;
    const accountAccess = this.stateAccess(`${project}/accounts/${slug}/`);
    this.planRole('accountPlan', pipelineRoleNames.accountPlan(project, slug), accountAccess, {
      sub: `repo:${repo}:environment:account-${slug}-plan`,
    });
    const apply = this.applyRole(
      'accountApply',
      pipelineRoleNames.accountApply(project, slug),
      accountAccess,
      'account',
      {
        sub: `repo:${repo}:environment:account-${slug}`,
        ref: [MAIN],
        workflows: [`${repo}/.github/workflows/_deploy.yml@${MAIN}`],
      },
      [
        { roleArns: [pipelineRolePattern(props)], boundaryArn: pipelineBoundaryArn(props), profileArns: [] },
        {
          roleArns: BASELINE_ROLE_COMPONENTS.map((c) => iamArn(props.accountId, 'role', `${project}-${c}`)),
          boundaryArn: workloadBoundaryArn(props),
          profileArns: [],
        },
      ],
    );
    this.inline(
      apply,
      'accountApplyPipeline',
      'manage-pipeline',
      accountPipelineStatements(props, [pipelineBoundaryArn(props), workloadBoundariesPattern(props)]),
    );
  }

  private stateAccess(keyPrefix: string): StateAccess {
    const { state } = this.props;
    return { ...state, keyPrefix };
  }

  private role(key: string, name: string, claims: GitHubClaims, maxSessionDuration: number): IamRole {
    const role = new IamRole(this, `${key}Role`, {
      name,
      assumeRolePolicy: githubTrust(this.provider.arn, claims),
      permissionsBoundary: this.boundary.arn,
      maxSessionDuration,
    });
    this.roles[key] = role;
    return role;
  }

  private inline(role: IamRole, id: string, name: string, statements: Statement[]): void {
    new IamRolePolicy(this, id, { role: role.id, name, policy: document(statements) });
  }

  /** Plan: ReadOnlyAccess minus data reads, plus its own state read and locking. */
  private planRole(key: string, name: string, state: StateAccess, claims: GitHubClaims): void {
    const role = this.role(key, name, claims, 3600);
    new IamRolePolicyAttachment(this, `${key}ReadOnly`, {
      role: role.name,
      policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });
    this.inline(role, `${key}State`, 'terraform-state', stateReadStatements(state));
    this.inline(role, `${key}NoData`, 'no-data-reads', planDataDenyStatements(state));
  }

  /** Apply: PowerUserAccess fenced to one environment, IAM only for its bounded roles, its own state. */
  private applyRole(
    key: string,
    name: string,
    state: StateAccess,
    fence: string,
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
      this.inline(role, `${key}Iam${suffix}`, `manage-iam-roles${suffix}`, applyIamStatements(this.props, m));
    });
    this.inline(role, `${key}State`, 'terraform-state', stateWriteStatements(state));
    this.inline(
      role,
      `${key}Fence`,
      'environment-fence',
      environmentFenceStatements(
        fence,
        fence === 'account' ? undefined : state,
        namePrefix(this.props.project, fence),
      ),
    );
    return role;
  }

  /** Deploy for one service: trusted from its repository through app-image.yml on main. */
  private serviceDeployRole(env: PipelineEnvironment, service: string): void {
    const { project } = this.props;
    this.appRepositoryRole(env, service, 'app-image.yml', {
      key: `${env.name}Deploy-${service}`,
      name: pipelineRoleNames.serviceDeploy(project, env.name, service),
      policyName: 'deploy-images',
      statements: (target) => serviceDeployStatements({ ...target, service }),
    });
  }

  /** Publishes a static site: trusted from the site's repository through frontend-deploy.yml on main. */
  private siteDeployRole(env: PipelineEnvironment): void {
    this.appRepositoryRole(env, SITE_REPOSITORY_KEY, 'frontend-deploy.yml', {
      key: `${env.name}SiteDeploy`,
      name: pipelineRoleNames.siteDeploy(this.props.project, env.name),
      policyName: 'publish-site',
      statements: siteDeployStatements,
    });
  }

  /**
   * A service's schema migrations before its rollout: trusted like its deploy role (its repository,
   * `<env>`, app-image.yml on main), a role of its own so the deploy role holds no database-admin power.
   */
  private serviceMigrateRole(env: PipelineEnvironment, service: string): void {
    const { project } = this.props;
    this.appRepositoryRole(env, service, 'app-image.yml', {
      key: `${env.name}Migrate-${service}`,
      name: pipelineRoleNames.serviceMigrate(project, env.name, service),
      policyName: 'run-migrations',
      statements: (target) => serviceMigrateStatements({ ...target, service }),
    });
  }

  /**
   * A role an application repository assumes (`appRepositories[repositoryKey]`; none, no role): only
   * from that repository's `<env>` GitHub environment on its main (or release tags), through
   * `workflow` of this repository on main.
   */
  private appRepositoryRole(
    env: PipelineEnvironment,
    repositoryKey: string,
    workflow: string,
    role: {
      key: string;
      name: string;
      policyName: string;
      statements: (target: {
        accountId: string;
        region: string;
        project: string;
        env: string;
      }) => Statement[];
    },
  ): void {
    const { project, accountId, repository } = this.props;
    const appRepository = this.props.appRepositories[repositoryKey];
    if (appRepository === undefined) return;
    const created = this.role(
      role.key,
      role.name,
      {
        sub: `repo:${appRepository}:environment:${env.name}`,
        // The application repository's own ref: its main (and release tags where the environment
        // deploys on them), never a pull request's branch calling the workflow.
        ref: env.releaseTags ? [MAIN, 'refs/tags/v*'] : [MAIN],
        workflows: [`${repository}/.github/workflows/${workflow}@${MAIN}`],
      },
      3600,
    );
    const target = { accountId, region: env.region, project, env: env.name };
    this.inline(created, `${role.key}Policy`, role.policyName, role.statements(target));
  }

  /**
   * The environment's database migration: only from the infrastructure repository's main, in the
   * `<env>` GitHub environment (its gate), through `db-migrate.yml`.
   */
  private migrateRole(env: PipelineEnvironment): void {
    const { project, accountId, repository } = this.props;
    const key = `${env.name}Migrate`;
    const role = this.role(
      key,
      pipelineRoleNames.migrate(project, env.name),
      {
        sub: `repo:${repository}:environment:${env.name}`,
        ref: [MAIN],
        workflows: [`${repository}/.github/workflows/db-migrate.yml@${MAIN}`],
      },
      3600,
    );
    this.inline(
      role,
      `${key}Policy`,
      'run-migration',
      migrateStatements({ accountId, region: env.region, project, env: env.name }),
    );
  }
}
