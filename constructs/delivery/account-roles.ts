/**
 * The GitHub pipeline's account roles (github-oidc.ts): the account's plan role and its apply role,
 * which manages the pipeline's roles and boundaries and the baseline stack's roles. Every resource
 * is created in the pipeline construct `p`, under the ids it always had.
 */
import { pipelineRoleNames } from '../core/naming';
import { declareContract } from '../core/role-contract';
import type { GitHubPipeline } from './github-oidc';
import { accountApplyContract, type ApplyIam, planContract } from './pipeline-contracts';
import {
  BASELINE_PASSED_TO,
  BASELINE_PASSED_TO_SERVICES,
  BASELINE_ROLE_COMPONENTS,
  passes,
} from './pipeline-passes';
import { accountPipelineStatements } from './pipeline-policies';
import { applyRole, planRole, stateAccess } from './pipeline-role-kinds';
import { trustClaims } from './pipeline-trust';
import {
  iamArn,
  pipelineBoundaryArn,
  pipelineRolePattern,
  workloadBoundariesPattern,
  workloadBoundaryArn,
} from './statements';
import { MAIN } from './trust';

/** The account's plan (`account-<account>-plan`) and apply (`account-<account>`, main) roles. */
export function accountRoles(p: GitHubPipeline): void {
  const { project, accountId, accountSlug: slug, repository } = p.props;
  const s = p.contractScope;
  const access = stateAccess(p, [
    `${project}/accounts/${slug}/terraform.tfstate`,
    `${project}/accounts/${slug}/state.tfstate`,
  ]);
  const planToken = p.token(repository, `account-${slug}-plan`, '_deploy.yml');
  const applyToken = p.token(repository, `account-${slug}`, '_deploy.yml');
  const plan = planRole(
    p,
    'accountPlan',
    pipelineRoleNames.accountPlan(project, slug),
    access,
    trustClaims(p.props, repository, `account-${slug}-plan`),
    { tag: 'account', exempt: [] },
  );
  declareContract(
    plan,
    planContract(s, {
      name: pipelineRoleNames.accountPlan(project, slug),
      state: access,
      region: p.props.state.region,
      resourcePrefix: project,
      roleName: `${project}-config`,
      token: planToken,
      otherTokens: [applyToken],
    }),
  );
  const pipelineRoles: ApplyIam = {
    roles: [{ name: pipelineRoleNames.plan(project, s.environments[0] ?? 'elsewhere'), passes: {} }],
    boundaryArn: pipelineBoundaryArn(p.props),
  };
  const baselineRoles: ApplyIam = {
    roles: BASELINE_ROLE_COMPONENTS.map((c) => ({
      name: `${project}-${c}`,
      passes: passes([BASELINE_PASSED_TO[c]]),
    })),
    boundaryArn: workloadBoundaryArn(p.props),
  };
  const apply = applyRole(
    p,
    'accountApply',
    pipelineRoleNames.accountApply(project, slug),
    access,
    { tag: 'account', state: access },
    trustClaims(p.props, repository, `account-${slug}`, [MAIN], '_deploy.yml'),
    [
      {
        roleArns: [pipelineRolePattern(p.props)],
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
  const boundaryArns = [pipelineBoundaryArn(p.props), workloadBoundariesPattern(p.props)];
  p.inline(
    apply,
    'accountApplyPipeline',
    'manage-pipeline',
    accountPipelineStatements(p.props, boundaryArns),
  );
  declareContract(
    apply,
    p.notifying(
      apply,
      'accountApply',
      accountApplyContract(s, {
        state: access,
        pipelineRoles,
        baselineRoles,
        boundaryArns,
        token: applyToken,
        otherTokens: [planToken],
        region: p.props.state.region,
      }),
      // The account's own topics (baseline), which its apply role creates.
      { scope: p.alertScope(), steps: ['notifyApply'], managesTopic: true },
    ),
  );
}
