import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { policyDocument } from '../core/iam';
import { pipelineRoleNames } from '../core/naming';
import {
  applyIamStatements,
  boundaryStatements,
  deployStatements,
  stateReadStatements,
} from './pipeline-policies';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** Role names of the pipeline: deterministic, so workflows can be generated from config alone. */

export interface StateAccess {
  readonly bucketArn: string;
  readonly lockTableArn: string;
  readonly kmsKeyArn: string;
}

export interface PipelineEnvironment {
  readonly name: string;
  readonly region: string;
}

export interface GitHubPipelineProps {
  readonly project: string;
  readonly accountSlug: string;
  readonly accountId: string;
  /** `owner/name` of this infrastructure repository. */
  readonly repository: string;
  /** `owner/name` of application repositories whose image workflow deploys (deploy roles only). */
  readonly appRepositories: readonly string[];
  readonly environments: readonly PipelineEnvironment[];
  readonly state: StateAccess;
}

/**
 * Keyless access for GitHub Actions: the OIDC provider and, per environment, three roles whose trust
 * names this repository (or the application repositories) and the GitHub environment of the job:
 * - plan (`<env>-plan`): ReadOnlyAccess plus state read and locking;
 * - apply (`<env>`, the approval gate): broad rights under the pipeline permissions boundary
 *   (docs/architecture.md: the documented exception; never AdministratorAccess);
 * - deploy (application repositories, `<env>`): push to the environment's repositories, register task
 *   definitions, update its services, pass its task and execution roles.
 * Plus the account's own plan and apply roles (`account-<account>`) for the state and baseline stacks.
 */
export class GitHubPipeline extends Construct {
  readonly provider: IamOpenidConnectProvider;
  readonly boundary: IamPolicy;
  readonly roles: Record<string, IamRole> = {};
  /** Every role that touches state (plan and apply, environments and account). */
  readonly stateRoleArns: string[] = [];

  constructor(scope: Construct, id: string, props: GitHubPipelineProps) {
    super(scope, id);
    const { project } = props;
    this.provider = new IamOpenidConnectProvider(this, 'Provider', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: ['sts.amazonaws.com'],
      thumbprintList: [
        '6938fd4d98bab03faadb97b34396831e3780aea1',
        '1c58a3a8518e8759bf075b76b750d4f2df264fcd',
      ],
    });
    this.boundary = new IamPolicy(this, 'Boundary', {
      name: pipelineRoleNames.boundary(project),
      description:
        'Permissions boundary of the apply roles: no IAM users, no organizations, no changes to the pipeline itself',
      policy: policyDocument(boundaryStatements(props)),
    });

    const repo = props.repository;
    for (const env of props.environments) {
      this.planRole(
        props,
        `${env.name}Plan`,
        pipelineRoleNames.plan(project, env.name),
        `repo:${repo}:environment:${env.name}-plan`,
      );
      this.applyRole(
        props,
        `${env.name}Apply`,
        pipelineRoleNames.apply(project, env.name),
        `repo:${repo}:environment:${env.name}`,
      );
      this.deployRole(props, env);
    }
    const accountEnv = `account-${props.accountSlug}`;
    this.planRole(
      props,
      'accountPlan',
      pipelineRoleNames.accountPlan(project, props.accountSlug),
      `repo:${repo}:environment:${accountEnv}`,
    );
    this.applyRole(
      props,
      'accountApply',
      pipelineRoleNames.accountApply(project, props.accountSlug),
      `repo:${repo}:environment:${accountEnv}`,
    );
  }

  /** Web-identity trust for GitHub tokens whose `sub` is one of `subjects`. */
  private trust(subjects: string[]): string {
    return policyDocument([
      {
        Effect: 'Allow',
        Principal: { Federated: this.provider.arn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
            [`${GITHUB_OIDC_HOST}:sub`]: subjects,
          },
        },
      },
    ]);
  }

  /** Plan: ReadOnlyAccess plus state read and locking. */
  private planRole(props: GitHubPipelineProps, key: string, name: string, subject: string): void {
    const role = new IamRole(this, `${key}Role`, {
      name,
      assumeRolePolicy: this.trust([subject]),
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, `${key}ReadOnly`, {
      role: role.name,
      policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });
    new IamRolePolicy(this, `${key}State`, {
      role: role.id,
      name: 'terraform-state',
      policy: policyDocument(stateReadStatements(props.state)),
    });
    this.roles[key] = role;
    this.stateRoleArns.push(role.arn);
  }

  /** Apply: PowerUserAccess and IAM role management, under the permissions boundary. */
  private applyRole(props: GitHubPipelineProps, key: string, name: string, subject: string): void {
    const role = new IamRole(this, `${key}Role`, {
      name,
      assumeRolePolicy: this.trust([subject]),
      permissionsBoundary: this.boundary.arn,
      maxSessionDuration: 7200,
    });
    // Exception (docs/architecture.md): Terraform applies everything the stacks hold. PowerUserAccess (all but
    // IAM and Organizations) plus the IAM calls the stacks make, all under the boundary above.
    new IamRolePolicyAttachment(this, `${key}PowerUser`, {
      role: role.name,
      policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
    });
    new IamRolePolicy(this, `${key}Iam`, {
      role: role.id,
      name: 'manage-iam-roles',
      policy: policyDocument(applyIamStatements(props.accountId, props.state)),
    });
    this.roles[key] = role;
    this.stateRoleArns.push(role.arn);
  }

  private deployRole(props: GitHubPipelineProps, env: PipelineEnvironment): void {
    const { project, accountId } = props;
    const prefix = `${project}-${env.name}`;
    const subjects = props.appRepositories.map((r) => `repo:${r}:environment:${env.name}`);
    if (subjects.length === 0) return;
    const role = new IamRole(this, `${env.name}DeployRole`, {
      name: pipelineRoleNames.deploy(project, env.name),
      assumeRolePolicy: this.trust(subjects),
      maxSessionDuration: 3600,
    });
    new IamRolePolicy(this, `${env.name}DeployPolicy`, {
      role: role.id,
      name: 'deploy-images',
      policy: policyDocument(deployStatements(accountId, env, prefix)),
    });
    this.roles[`${env.name}Deploy`] = role;
  }
}
