/**
 * The Terraform stacks the workflows plan and apply, read from the registry: one platform stack per
 * environment, a state and a baseline stack per account. Role names come from the OIDC construct
 * that creates the roles, stack ids from the app that creates the stacks.
 */
import { alertTopicArn, pipelineRoleNames, roleArn } from '../../constructs/core/naming';
import { accountOf, type Registry } from '../../environments/registry';
import type { EnvironmentConfig } from '../../environments/schema';
import { type BackupTarget, backupTargetOf } from './backup-before-change';
import { baselineStackId, platformStackId, stateStackId } from '../../stacks/stack-ids';
import { type StateReplicaTarget, stateReplicaTargetOf } from './state-replica';

/** What a workflow needs to know of one Terraform stack. */
export interface StackTarget {
  /** GitHub environment name of the applying job (`dev`, `account-main`). */
  readonly environment: string;
  /** GitHub environment of the planning job (`dev-plan`, `account-<account>-plan`). */
  readonly planEnvironment: string;
  readonly stack: string;
  readonly region: string;
  readonly planRole: string;
  readonly applyRole: string;
  readonly production: boolean;
  /**
   * The warning topic the apply job publishes its failure to: the environment's, or for the account
   * stacks the account's (the baseline's). Named by convention (constructs/core/naming.ts).
   */
  readonly alertTopic: string;
  /** What starts the deploy (platform stacks: the environment's `deploy`; account stacks: a push). */
  readonly deploy: EnvironmentConfig['deploy'];
  /**
   * Sensitive Terraform variables the stack declares without a value (federated sign-in secrets):
   * plan jobs set `TF_VAR_<name>` from the plan environment's secret of that name.
   */
  readonly secretVariables: readonly string[];
  /**
   * The database the apply job backs up (and waits for) before it applies: production tier with a
   * database and a backup plan (backup-before-change.ts). Absent elsewhere.
   */
  readonly backup?: BackupTarget;
  /**
   * The state replica a dispatched deploy may run against during a regional outage: environments
   * whose account has a recovery region (state-replica.ts). Absent elsewhere.
   */
  readonly stateReplica?: StateReplicaTarget;
}

/** The `clientSecretVariable` of each configured federated identity provider of an environment. */
export function secretVariablesOf(env: EnvironmentConfig): string[] {
  return Object.values(env.identity?.providers ?? {}).flatMap((p) => (p ? [p.clientSecretVariable] : []));
}

/** The platform stack of each environment, in declaration order. */
export function environmentTargets(registry: Registry): StackTarget[] {
  return Object.values(registry.environments).map((env) => {
    const { project } = accountOf(registry, env).account;
    return {
      environment: env.name,
      planEnvironment: `${env.name}-plan`,
      stack: platformStackId(env.name),
      region: env.region,
      planRole: roleArn(env.accountId, pipelineRoleNames.plan(project, env.name)),
      applyRole: roleArn(env.accountId, pipelineRoleNames.apply(project, env.name)),
      production: env.tier === 'production',
      alertTopic: alertTopicArn(
        { project, accountId: env.accountId, region: env.region, environment: env.name },
        'warning',
      ),
      deploy: env.deploy,
      secretVariables: secretVariablesOf(env),
      backup: backupTargetOf(env, project),
      stateReplica: stateReplicaTargetOf(registry, env),
    };
  });
}

/** An account's stacks: state first (it holds the backend and the roles), then the baseline. */
export interface AccountTargets {
  /** GitHub environment of the apply jobs (`account-<account>`); plans run in `account-<account>-plan`. */
  readonly environment: string;
  /**
   * Where `state-<account>` keeps its own state. While `local`, the deploy workflow has no state job:
   * a runner would plan against an empty local state (runbooks: bootstrap, then migrate).
   */
  readonly stateBackend: 'local' | 's3';
  readonly state: StackTarget;
  readonly baseline: StackTarget;
}

export function accountTargets(registry: Registry): AccountTargets[] {
  return Object.entries(registry.accounts).map(([slug, account]) => {
    const environment = `account-${slug}`;
    const base = {
      environment,
      planEnvironment: `${environment}-plan`,
      planRole: roleArn(account.accountId, pipelineRoleNames.accountPlan(account.project, slug)),
      applyRole: roleArn(account.accountId, pipelineRoleNames.accountApply(account.project, slug)),
      production: true,
      alertTopic: alertTopicArn(
        { project: account.project, accountId: account.accountId, region: account.region },
        'warning',
      ),
      deploy: { trigger: 'push' as const },
      secretVariables: [],
    };
    return {
      environment,
      stateBackend: account.stateBackend,
      state: { ...base, stack: stateStackId(slug), region: account.state.region },
      baseline: { ...base, stack: baselineStackId(slug), region: account.region },
    };
  });
}
