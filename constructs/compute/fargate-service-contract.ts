/**
 * The role contracts of a Fargate service (constructs/core/role-contract.ts): the task role does
 * what the stores it `uses` are called for, plus ECS Exec and X-Ray when enabled; the execution role
 * starts the task: pulls its own image, writes its own log group, reads exactly its own secrets.
 */
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { ServiceConfig } from '../../environments/schema';
import { escalationDenials, otherEnvironment } from '../core/contract-requests';
import { XRAY_PUT_ACTIONS, XRAY_SAMPLING_ACTIONS } from '../core/iam';
import type { Naming } from '../core/naming';
import {
  declareContract,
  serviceTrustRequests,
  type ContractRequest,
  type RoleContract,
} from '../core/role-contract';
import type { ServiceBindings } from '../core/service-bindings';
import type { ServiceCluster } from './service-cluster';

/** The other services of the environment: what this one's roles must never reach. */
export interface ServiceNeighbours {
  /** Their names (their repositories and log groups follow from them). */
  readonly services: readonly string[];
  /** The secrets their execution roles read. */
  readonly secretArns: readonly string[];
}

export interface FargateContractScope {
  readonly naming: Naming;
  /** The service's name, e.g. `backend`. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly service: ServiceConfig;
  readonly cluster: ServiceCluster;
  /** What its stores' clients call and must never call (the bindings' requests). */
  readonly requests: ServiceBindings['requests'];
  readonly logGroupArn: string;
  /** Its ECR repository. Default: none. */
  readonly repositoryArn?: string;
  readonly guardDutyAgent: boolean;
  /** The secrets ECS injects into its containers. */
  readonly secretArns: readonly string[];
  /** The key its secrets are encrypted with. Default: none. */
  readonly secretsKmsKeyArn?: string;
  readonly neighbours: ServiceNeighbours;
}

/**
 * The account that hosts GuardDuty's Fargate agent image in us-east-1 (GuardDuty user guide, "ECR
 * repository hosting the GuardDuty agent"; each region has its own, the grant names any account).
 * The request is our side of that cross-account pull, evaluated as the role's own account: the
 * AWS-owned repository's policy, which admits every account, is AWS's.
 */
const GUARDDUTY_AGENT_ACCOUNT = '593207742271';

const ecsTrust = (accountId: string, who: string): RoleContract['trust'] =>
  serviceTrustRequests(
    'ecs-tasks.amazonaws.com',
    accountId,
    `ECS starts the service's tasks with it (${who})`,
    [{ principal: 'lambda.amazonaws.com', because: 'no other service' }],
  );

/** The task role: the application's own calls. */
export function declareTaskContract(role: IamRole, s: FargateContractScope): void {
  const { service } = s;
  declareContract(role, {
    purpose: `The ${s.name} application: the stores it uses${service.enableExec ? ', ECS Exec' : ''}, its OpenTelemetry collector's X-Ray traces`,
    allow: [...s.requests.allow, ...(service.enableExec ? execRequests(s.cluster) : []), ...xrayRequests()],
    deny: [
      ...s.requests.deny,
      ...s.secretArns.map((resource) => ({
        action: 'secretsmanager:GetSecretValue',
        resource,
        because: 'ECS injects its secrets at start (execution role): the application never reads them',
      })),
      ...escalationDenials(s.naming),
    ],
    trust: ecsTrust(s.accountId, 'task_role_arn'),
  });
}

/** The execution role: what ECS needs to start the task. */
export function declareExecutionContract(role: IamRole, s: FargateContractScope): void {
  const { region, accountId, naming } = s;
  const repository = (name: string) => `arn:aws:ecr:${region}:${accountId}:repository/${naming.name(name)}`;
  const logStream = (group: string) => `${group}:log-stream:app/app/0123456789abcdef`;
  const secrets = new Set(s.secretArns);
  const other = otherEnvironment(naming);
  const pull = (resource: string, because: string): ContractRequest[] =>
    ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'].map((action) => ({ action, resource, because }));
  const agentRepository = `arn:aws:ecr:${region}:${GUARDDUTY_AGENT_ACCOUNT}:repository/aws-guardduty-agent-fargate`;
  declareContract(role, {
    purpose: `ECS starts ${s.name}'s tasks: pulls its image, writes its log group, injects its secrets`,
    allow: [
      {
        action: 'ecr:GetAuthorizationToken',
        resource: '*',
        because:
          'ECS agent image pull from ECR: registry login (ECS developer guide, "Task execution IAM role")',
      },
      ...(s.repositoryArn
        ? pull(s.repositoryArn, `ECS agent pulls ${s.name}'s image from its repository`)
        : []),
      ...(s.guardDutyAgent
        ? pull(agentRepository, 'GuardDuty Runtime Monitoring (Fargate): ECS pulls the agent sidecar')
        : []),
      ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
        action,
        resource: logStream(s.logGroupArn),
        because: "awslogs log driver (ECS) writes the container's output to its log group",
      })),
      ...s.secretArns.map((resource) => ({
        action: 'secretsmanager:GetSecretValue',
        resource,
        because: 'ECS injects the secret into the container (ECS developer guide, "Pass secrets")',
      })),
      ...(s.secretArns.length > 0 && s.secretsKmsKeyArn
        ? [
            {
              action: 'kms:Decrypt',
              resource: s.secretsKmsKeyArn,
              context: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
              because: 'ECS injects a secret: Secrets Manager decrypts it with the caller rights',
            },
          ]
        : []),
    ],
    deny: [
      ...s.neighbours.services.flatMap((n) => [
        ...pull(repository(n), `${n}'s image is another service's`).slice(0, 1),
        {
          action: 'logs:PutLogEvents',
          resource: logStream(`arn:aws:logs:${region}:${accountId}:log-group:${naming.path('ecs', n)}`),
          because: `${n}'s log group is another service's`,
        },
      ]),
      ...s.neighbours.secretArns
        .filter((arn) => !secrets.has(arn))
        .map((resource) => ({
          action: 'secretsmanager:GetSecretValue',
          resource,
          because: "another service's secret",
        })),
      // The secrets the service's stores say it must never read (the database master secret).
      ...s.requests.deny.filter(
        (r) => r.action === 'secretsmanager:GetSecretValue' && !secrets.has(r.resource),
      ),
      {
        action: 'ecr:BatchGetImage',
        resource: `arn:aws:ecr:${region}:${accountId}:repository/${other.name(s.name)}`,
        because: "another environment's image",
      },
      ...(s.repositoryArn
        ? [
            {
              action: 'ecr:PutImage',
              resource: s.repositoryArn,
              because: 'ECS pulls images, never pushes them',
            },
          ]
        : []),
      ...escalationDenials(naming),
    ],
    trust: ecsTrust(accountId, 'execution_role_arn'),
  });
}

/** ECS Exec: the SSM agent in the task opens its channels and logs the session (encrypted). */
function execRequests(cluster: ServiceCluster): ContractRequest[] {
  const guide = 'ECS developer guide, "ECS Exec" permissions';
  const session = `${cluster.execLogGroup.arn}:log-stream:ecs-execute-command-0123456789abcdef`;
  return [
    ...[
      'ssmmessages:CreateControlChannel',
      'ssmmessages:CreateDataChannel',
      'ssmmessages:OpenControlChannel',
      'ssmmessages:OpenDataChannel',
    ].map((action) => ({ action, resource: '*', because: `SSM agent in the task (ECS Exec): ${guide}` })),
    {
      action: 'logs:DescribeLogGroups',
      resource: '*',
      because: `SSM agent finds the session log group by name: ${guide}`,
    },
    ...['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'].map((action) => ({
      action,
      resource: session,
      because: `SSM agent logs the ECS Exec session to the cluster's log group: ${guide}`,
    })),
    {
      action: 'kms:Decrypt',
      resource: cluster.execKmsKeyArn,
      because: `SSM agent decrypts the session's data key (executeCommandConfiguration.kmsKeyId): ${guide}`,
    },
  ];
}

/**
 * X-Ray: the ADOT collector sidecar (every task) sends segments (awsxray exporter) and proxies the
 * sampling reads of X-Ray SDK clients (awsxray receiver's proxy_server).
 */
function xrayRequests(): ContractRequest[] {
  return [
    ...XRAY_PUT_ACTIONS.map((action) => ({
      action,
      resource: '*',
      because: 'ADOT collector sidecar (awsxray exporter): the segments of the service’s traces',
    })),
    ...XRAY_SAMPLING_ACTIONS.map((action) => ({
      action,
      resource: '*',
      because: 'ADOT collector sidecar (awsxray receiver proxy_server): X-Ray SDK clients’ sampling rules',
    })),
  ];
}
