/**
 * Resource names: `<project>-<env>-<component>` wherever AWS allows (docs/architecture.md, "Naming"). Names with
 * length limits are shortened deterministically (a hash of the full name replaces the tail), so the
 * same input always gives the same name and two long names do not collide.
 */
import { createHash } from 'node:crypto';

export interface NamingProps {
  readonly project: string;
  /** Environment name; omitted for account-level stacks, whose names are `<project>-<component>`. */
  readonly environment?: string;
  readonly accountId: string;
  readonly region: string;
}

export class Naming {
  readonly prefix: string;

  constructor(readonly props: NamingProps) {
    this.prefix = namePrefix(props.project, props.environment);
  }

  /** `<project>-<env>-<component>`, or `<project>-<env>` without a component. */
  name(component?: string): string {
    return component ? `${this.prefix}-${component}` : this.prefix;
  }

  /** `name(component)` shortened to `max` characters (ALB and target group names: 32). */
  short(component: string, max = 32): string {
    return shorten(this.name(component), max);
  }

  /** Globally unique bucket name: `<project>-<env>-<component>-<accountId>`, at most 63 characters. */
  bucket(component: string): string {
    const suffix = `-${this.props.accountId}`;
    return `${shorten(this.name(component), 63 - suffix.length)}${suffix}`;
  }

  /** KMS alias `alias/<project>-<env>-<purpose>`. */
  alias(purpose: string): string {
    return `alias/${this.name(purpose)}`;
  }

  /** A path-style name such as a log group or SSM parameter: `/<kind>/<project>-<env>/<component>`. */
  path(kind: string, component: string): string {
    return `/${kind}/${this.prefix}/${component}`;
  }
}

/** `<project>-<env>`, or `<project>` for account-level names: the prefix of every name. */
export function namePrefix(project: string, environment?: string): string {
  return environment ? `${project}-${environment}` : project;
}

/** The severities of the alert topics (constructs/observability/alert-topics.ts). */
export type AlertSeverity = 'critical' | 'warning';

/**
 * An alert topic's component name: `<project>-<env>-alerts-<severity>`, an account's
 * `<project>-alerts-<severity>`. The observability layer creates the topics; the pipeline's failure
 * notifications (the state stack's roles and the generated workflows) name them by this convention,
 * as they name clusters and buckets: the state stack never reads a platform stack.
 */
export const alertTopicComponent = (severity: AlertSeverity) => `alerts-${severity}`;

/** Where an alert topic lives: an environment's (`environment` set) or the account's (baseline). */
export interface AlertTopicScope {
  readonly project: string;
  readonly accountId: string;
  readonly region: string;
  readonly environment?: string;
}

/** The ARN of an environment's (or, without `environment`, the account's) alert topic. */
export function alertTopicArn(scope: AlertTopicScope, severity: AlertSeverity): string {
  const name = `${namePrefix(scope.project, scope.environment)}-${alertTopicComponent(severity)}`;
  return `arn:aws:sns:${scope.region}:${scope.accountId}:${name}`;
}

/**
 * The purposes (alias `alias/<prefix>-<purpose>`) of the keys the alert topics are encrypted with:
 * an environment's data key (constructs/security/platform-keys.ts), the account's trail key
 * (constructs/security/account-baseline.ts). A publisher needs the key through SNS.
 */
export const DATA_KEY_PURPOSE = 'data';
export const TRAIL_KEY_PURPOSE = 'cloudtrail';

/** The alias of the key an alert topic of `scope` is encrypted with. */
export const alertTopicKeyAlias = (scope: AlertTopicScope) =>
  `alias/${namePrefix(scope.project, scope.environment)}-${scope.environment ? DATA_KEY_PURPOSE : TRAIL_KEY_PURPOSE}`;

/**
 * The GitHub OIDC pipeline roles: the state stack creates them, their trust and the workflows that
 * assume them name them, so all read the names here.
 */
/**
 * The static site bucket's component name: `<project>-<env>-site-<account>`. The frontend layer
 * creates the bucket; the delivery layer's site deploy role and workflow name it (so it lives here,
 * below both layers).
 */
export const SITE_BUCKET_COMPONENT = 'site';

/**
 * The role S3 replicates the state bucket as (state stack, constructs/state/state-replica.ts): an
 * account-level role under the account's workload boundary, whose one exception it is (boundaries.ts).
 */
export const stateReplicationRoleName = (project: string): string =>
  `${namePrefix(project)}-state-replication`;

export const pipelineRoleNames = {
  plan: (project: string, env: string) => `${namePrefix(project, env)}-github-plan`,
  apply: (project: string, env: string) => `${namePrefix(project, env)}-github-apply`,
  deploy: (project: string, env: string) => `${namePrefix(project, env)}-github-deploy`,
  accountPlan: (project: string, account: string) => `${namePrefix(project, `acct-${account}`)}-github-plan`,
  accountApply: (project: string, account: string) =>
    `${namePrefix(project, `acct-${account}`)}-github-apply`,
  boundary: (project: string) => `${namePrefix(project)}-pipeline-boundary`,
  /**
   * The permissions boundary the baseline stack's roles carry (account-level), and with an
   * environment, the one every role of that environment's platform stack carries (its fence too).
   * Outside `<project>-<env>-*`: no environment names its own boundary.
   */
  workloadBoundary: (project: string, env?: string) =>
    `${namePrefix(project)}-workload-boundary${env ? `-${env}` : ''}`,
  /**
   * One deploy role per environment and service, trusted only from that service's repository.
   * `-github-` keeps it inside `<project>-*-github-*`, the one pattern that fences every pipeline role.
   */
  serviceDeploy: (project: string, env: string, service: string) =>
    `${namePrefix(project, env)}-github-deploy-${service}`,
  /** Publishes the environment's static site (frontend-deploy); trusted only from the site's repository. */
  siteDeploy: (project: string, env: string) => `${namePrefix(project, env)}-github-site-deploy`,
  /** Runs the environment's database migration task; trusted only from the infrastructure repository's main. */
  migrate: (project: string, env: string) => `${namePrefix(project, env)}-github-migrate`,
  /**
   * Runs a service's schema migrations (`services.<name>.migrations`) as the migration task before
   * its rollout; trusted only from that service's repository through app-image.yml on main.
   */
  serviceMigrate: (project: string, env: string, service: string) =>
    `${namePrefix(project, env)}-github-migrate-${service}`,
};

/**
 * The `AfterAllowTestTraffic` hook of a blue/green service: `CodeDeployHook_<project>-<env>-<service>-test-traffic`.
 * The `CodeDeployHook_` prefix is CodeDeploy's ECS convention (AWSCodeDeployRoleForECSLimited may
 * invoke only such functions); the compute layer creates the function by this name and app-image.yml's
 * AppSpec names it by the same convention (scripts/workflows/rollout-steps.ts), so it is never
 * shortened: a longer name fails the synthesis (constructs/compute/test-traffic-hook.ts).
 */
export const testTrafficHookName = (prefix: string, service: string) =>
  `CodeDeployHook_${prefix}-${service}-test-traffic`;

/** The ARN of a customer managed policy named `name` in an account. */
export function policyArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:policy/${name}`;
}

/** The ARN of a role named `name` in an account. */
export function roleArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:role/${name}`;
}

/** Shortens `name` to `max` characters: the head of the name, '-', and 6 hex digits of its hash. */
export function shorten(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  const head = name.slice(0, max - hash.length - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}
