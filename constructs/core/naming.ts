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
