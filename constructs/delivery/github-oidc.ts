import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { policyDocument, type PolicyStatement } from '../core/iam';
import { pipelineRoleNames, roleArn } from '../core/naming';

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
 *   (DESIGN.md: the documented exception; never AdministratorAccess);
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
    const { project, accountId } = props;
    this.provider = new IamOpenidConnectProvider(this, 'Provider', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: ['sts.amazonaws.com'],
      thumbprintList: [
        '6938fd4d98bab03faadb97b34396831e3780aea1',
        '1c58a3a8518e8759bf075b76b750d4f2df264fcd',
      ],
    });

    const pipelineRolePattern = `arn:aws:iam::${accountId}:role/${project}-*-github-*`;
    const boundaryArn = `arn:aws:iam::${accountId}:policy/${pipelineRoleNames.boundary(project)}`;
    const accountApplyArn = roleArn(accountId, pipelineRoleNames.accountApply(project, props.accountSlug));
    this.boundary = new IamPolicy(this, 'Boundary', {
      name: pipelineRoleNames.boundary(project),
      description:
        'Permissions boundary of the apply roles: no IAM users, no organizations, no changes to the pipeline itself',
      policy: policyDocument([
        // A boundary caps what identity policies grant; the identity policies themselves stay explicit.
        { Sid: 'Ceiling', Effect: 'Allow', Action: '*', Resource: '*' },
        {
          Sid: 'NoIamUsersOrKeys',
          Effect: 'Deny',
          Action: [
            'iam:CreateUser',
            'iam:CreateLoginProfile',
            'iam:UpdateLoginProfile',
            'iam:CreateAccessKey',
            'iam:AttachUserPolicy',
            'iam:PutUserPolicy',
            'iam:AddUserToGroup',
          ],
          Resource: '*',
        },
        { Sid: 'NoOrganizations', Effect: 'Deny', Action: ['organizations:*', 'account:*'], Resource: '*' },
        {
          // The account apply role manages the pipeline (this stack); every other apply role is kept out.
          Sid: 'PipelineIsProtected',
          Effect: 'Deny',
          Action: [
            'iam:CreatePolicyVersion',
            'iam:DeletePolicy',
            'iam:DeletePolicyVersion',
            'iam:SetDefaultPolicyVersion',
            'iam:AttachRolePolicy',
            'iam:DetachRolePolicy',
            'iam:PutRolePolicy',
            'iam:DeleteRolePolicy',
            'iam:UpdateAssumeRolePolicy',
            'iam:PutRolePermissionsBoundary',
            'iam:DeleteRolePermissionsBoundary',
            'iam:DeleteRole',
            'iam:UpdateRole',
          ],
          Resource: [boundaryArn, pipelineRolePattern],
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': accountApplyArn } },
        },
      ]),
    });

    const repo = props.repository;
    const trust = (subjects: string[]) => this.trust(subjects);

    const stateRead: PolicyStatement[] = [
      { Sid: 'StateList', Effect: 'Allow', Action: 's3:ListBucket', Resource: props.state.bucketArn },
      { Sid: 'StateRead', Effect: 'Allow', Action: 's3:GetObject', Resource: `${props.state.bucketArn}/*` },
      // Locking: the DynamoDB table, and Terraform's S3 lock files when use_lockfile is on.
      {
        Sid: 'StateLockFile',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:DeleteObject'],
        Resource: `${props.state.bucketArn}/*.tflock`,
      },
      {
        Sid: 'StateLockTable',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Resource: props.state.lockTableArn,
      },
      {
        Sid: 'StateKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        Resource: props.state.kmsKeyArn,
      },
    ];
    const stateWrite: PolicyStatement[] = [
      ...stateRead,
      {
        Sid: 'StateWrite',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:DeleteObject'],
        Resource: `${props.state.bucketArn}/*`,
      },
    ];

    const planRole = (key: string, name: string, subject: string) => {
      const role = new IamRole(this, `${key}Role`, {
        name,
        assumeRolePolicy: trust([subject]),
        maxSessionDuration: 3600,
      });
      new IamRolePolicyAttachment(this, `${key}ReadOnly`, {
        role: role.name,
        policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      });
      new IamRolePolicy(this, `${key}State`, {
        role: role.id,
        name: 'terraform-state',
        policy: policyDocument(stateRead),
      });
      this.roles[key] = role;
      this.stateRoleArns.push(role.arn);
    };
    const applyRole = (key: string, name: string, subject: string) => {
      const role = new IamRole(this, `${key}Role`, {
        name,
        assumeRolePolicy: trust([subject]),
        permissionsBoundary: this.boundary.arn,
        maxSessionDuration: 7200,
      });
      // Exception (DESIGN.md): Terraform applies everything the stacks hold. PowerUserAccess (all but
      // IAM and Organizations) plus the IAM calls the stacks make, all under the boundary above.
      new IamRolePolicyAttachment(this, `${key}PowerUser`, {
        role: role.name,
        policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
      });
      new IamRolePolicy(this, `${key}Iam`, {
        role: role.id,
        name: 'manage-iam-roles',
        policy: policyDocument([
          {
            Sid: 'ManageRolesAndPolicies',
            Effect: 'Allow',
            Action: IAM_MANAGEMENT_ACTIONS,
            Resource: [
              `arn:aws:iam::${accountId}:role/*`,
              `arn:aws:iam::${accountId}:policy/*`,
              `arn:aws:iam::${accountId}:instance-profile/*`,
              `arn:aws:iam::${accountId}:oidc-provider/*`,
            ],
          },
          {
            Sid: 'ServiceLinkedRoles',
            Effect: 'Allow',
            Action: [
              'iam:CreateServiceLinkedRole',
              'iam:DeleteServiceLinkedRole',
              'iam:GetServiceLinkedRoleDeletionStatus',
            ],
            Resource: `arn:aws:iam::${accountId}:role/aws-service-role/*`,
          },
          ...stateWrite,
        ]),
      });
      this.roles[key] = role;
      this.stateRoleArns.push(role.arn);
    };

    for (const env of props.environments) {
      planRole(
        `${env.name}Plan`,
        pipelineRoleNames.plan(project, env.name),
        `repo:${repo}:environment:${env.name}-plan`,
      );
      applyRole(
        `${env.name}Apply`,
        pipelineRoleNames.apply(project, env.name),
        `repo:${repo}:environment:${env.name}`,
      );
      this.deployRole(props, env);
    }
    const accountEnv = `account-${props.accountSlug}`;
    planRole(
      'accountPlan',
      pipelineRoleNames.accountPlan(project, props.accountSlug),
      `repo:${repo}:environment:${accountEnv}`,
    );
    applyRole(
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
      policy: policyDocument([
        { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Sid: 'PushImages',
          Effect: 'Allow',
          Action: [
            'ecr:BatchCheckLayerAvailability',
            'ecr:BatchGetImage',
            'ecr:CompleteLayerUpload',
            'ecr:DescribeImages',
            'ecr:GetDownloadUrlForLayer',
            'ecr:InitiateLayerUpload',
            'ecr:PutImage',
            'ecr:UploadLayerPart',
          ],
          Resource: `arn:aws:ecr:${env.region}:${accountId}:repository/${prefix}-*`,
        },
        {
          Sid: 'TaskDefinitions',
          Effect: 'Allow',
          Action: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
          Resource: '*',
        },
        {
          Sid: 'UpdateServices',
          Effect: 'Allow',
          Action: ['ecs:DescribeServices', 'ecs:UpdateService'],
          Resource: `arn:aws:ecs:${env.region}:${accountId}:service/${prefix}/*`,
        },
        {
          Sid: 'PassTaskRoles',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: [
            `arn:aws:iam::${accountId}:role/${prefix}-*-task`,
            `arn:aws:iam::${accountId}:role/${prefix}-*-execution`,
          ],
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
      ]),
    });
    this.roles[`${env.name}Deploy`] = role;
  }
}

const IAM_MANAGEMENT_ACTIONS = [
  'iam:AddRoleToInstanceProfile',
  'iam:AttachRolePolicy',
  'iam:CreateInstanceProfile',
  'iam:CreateOpenIDConnectProvider',
  'iam:CreatePolicy',
  'iam:CreatePolicyVersion',
  'iam:CreateRole',
  'iam:DeleteInstanceProfile',
  'iam:DeleteOpenIDConnectProvider',
  'iam:DeletePolicy',
  'iam:DeletePolicyVersion',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PassRole',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:RemoveRoleFromInstanceProfile',
  'iam:SetDefaultPolicyVersion',
  'iam:TagInstanceProfile',
  'iam:TagOpenIDConnectProvider',
  'iam:TagPolicy',
  'iam:TagRole',
  'iam:UntagInstanceProfile',
  'iam:UntagOpenIDConnectProvider',
  'iam:UntagPolicy',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateOpenIDConnectProviderThumbprint',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:AddClientIDToOpenIDConnectProvider',
  'iam:RemoveClientIDFromOpenIDConnectProvider',
];
