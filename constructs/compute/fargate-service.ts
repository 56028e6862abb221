import type { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { serviceAutoscaling } from './service-scaling';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Lazy, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { encryptedLogGroup } from '../core/log-group';
import {
  NAMED_SECRETS_SIDS,
  policyDocument,
  type PolicyStatement,
  secretsReadStatements,
  serviceTrustPolicy,
  xrayStatement,
} from '../core/iam';
import type { Naming } from '../core/naming';
import { OwnedSecurityGroup } from '../core/security-group';
import type { ServiceConfig } from '../../environments/schema';
import type { ObservabilityConfig } from '../../environments/schema/observability';
import type { LogSettings } from '../core/log-group';
import { mergeBindings, type SecretRef, type ServiceBindings } from '../core/service-bindings';
import { APP, containerDefinitions } from './container-definitions';
import {
  declareExecutionContract,
  declareTaskContract,
  type ServiceNeighbours,
} from './fargate-service-contract';
import type { ServiceCluster } from './service-cluster';

export interface FargateServiceProps {
  readonly naming: Naming;
  /** Service name, e.g. `backend`. */
  readonly name: string;
  /** The service's validated config: sizing, container settings and their defaults come from it. */
  readonly service: ServiceConfig;
  readonly accountId: string;
  readonly region: string;
  readonly cluster: ServiceCluster;
  readonly vpcId: string;
  readonly subnetIds: string[];
  /** Full image reference. */
  readonly image: string;
  /** The service's ECR repository ARN (the execution role may pull only from it). Default: none (public image only). */
  readonly repositoryArn?: string;
  readonly logs: LogSettings;
  /** The key secrets are encrypted with; the execution role may decrypt with it through Secrets Manager. */
  readonly secretsKmsKeyArn?: string;
  /** Lets the execution role pull GuardDuty's runtime monitoring agent. */
  readonly guardDutyAgent: boolean;
  /** What the data stores it `uses` give it: environment, secrets and task-role statements. */
  readonly bindings?: ServiceBindings;
  /** Target group to register in; required for `healthCheckGracePeriodSeconds` to apply. */
  readonly targetGroupArn?: string;
  /** Its target group's request-count metric label (routing.ts), for `requestsPerTarget`. Default: none. */
  readonly requestCountLabel?: string;
  /** Resources the service must wait for (the listener that uses its target group). */
  readonly dependsOn?: ITerraformDependable[];
  /** The environment's other services: what its role contracts deny. Default: none. */
  readonly neighbours?: ServiceNeighbours;
  /** How its OpenTelemetry SDK samples (`observability.tracing`; otel-collector.ts). */
  readonly tracing: ObservabilityConfig['tracing'];
}

/**
 * A generic ECS Fargate service (one per entry in `services`): its own security group (the stack
 * admits the ALB), task definition, log group `/ecs/<project>-<env>/<service>`, execution and task
 * roles, the service (rolling with circuit breaker and rollback, or blue/green through CodeDeploy as
 * `deployment` says), and autoscaling.
 *
 * What the data stores it `uses` give it arrives at construction as `bindings` (secrets injected by
 * ECS, never plaintext; environment; task-role statements on named resources).
 */
export class FargateService extends Construct {
  readonly securityGroup: OwnedSecurityGroup;
  readonly logGroup: CloudwatchLogGroup;
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;
  readonly taskDefinition: EcsTaskDefinition;
  readonly service: EcsService;
  readonly scalableTarget?: AppautoscalingTarget;
  readonly serviceName: string;
  private readonly props: FargateServiceProps;
  private readonly environment: Readonly<Record<string, string>>;
  private readonly secrets: Readonly<Record<string, SecretRef>>;
  private readonly taskStatements: PolicyStatement[] = [];
  private taskPolicy?: IamRolePolicy;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    this.props = props;
    const { naming, service } = props;
    const fullName = naming.name(props.name);
    this.serviceName = fullName;
    const config = mergeBindings(
      props.name,
      { environment: service.environment, secrets: service.secrets },
      props.bindings ?? {},
    );
    this.environment = config.environment;
    this.secrets = config.secrets;

    this.securityGroup = this.createSecurityGroup(fullName);
    this.logGroup = encryptedLogGroup(this, 'LogGroup', naming.path('ecs', props.name), props.logs);
    this.executionRole = this.createExecutionRole();
    this.taskRole = this.createTaskRole();
    this.grantFeatures();
    this.taskDefinition = this.createTaskDefinition(fullName);
    this.service = this.createService(fullName);
    if (service.autoscaling)
      this.scalableTarget = serviceAutoscaling(this, {
        spec: service.autoscaling,
        name: props.name,
        serviceName: fullName,
        clusterName: props.cluster.name,
        ecsServiceName: this.service.name,
        requestCountLabel: props.requestCountLabel,
      });
    if (config.statements.length > 0) this.grant(...config.statements);
    const contract = {
      naming,
      name: props.name,
      accountId: props.accountId,
      region: props.region,
      service,
      cluster: props.cluster,
      requests: config.requests,
      logGroupArn: this.logGroup.arn,
      repositoryArn: props.repositoryArn,
      guardDutyAgent: props.guardDutyAgent,
      secretArns: this.secretArns(),
      secretsKmsKeyArn: props.secretsKmsKeyArn,
      neighbours: props.neighbours ?? { services: [], secretArns: [] },
    };
    declareTaskContract(this.taskRole, contract);
    declareExecutionContract(this.executionRole, contract);
  }

  /** Adds statements to the task role (resources named; see constructs/iam.ts for the `*` exceptions). */
  grant(...statements: PolicyStatement[]): void {
    this.taskStatements.push(...statements);
    this.taskPolicy ??= new IamRolePolicy(this, 'TaskPolicy', {
      role: this.taskRole.id,
      name: 'application',
      policy: Lazy.stringValue({ produce: () => policyDocument(this.taskStatements) }),
    });
  }

  private createSecurityGroup(fullName: string): OwnedSecurityGroup {
    const { props } = this;
    const group = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name: fullName,
      description: `${props.name} tasks: in from the ALB only; out to data stores and, through NAT, AWS APIs`,
    });
    // HTTPS only: AWS APIs and image pulls (through NAT, the interface endpoints or the S3 gateway).
    // Each data store it uses adds its own port to that store's group (`connect`, clientEgress).
    // DNS goes to the VPC resolver, which security groups do not filter.
    group.allowToCidrs(['0.0.0.0/0'], 443, 'HTTPS to AWS APIs and image registries (NAT, endpoints)');
    return group;
  }

  /** Execution role: what ECS itself needs to start the task. */
  private createExecutionRole(): IamRole {
    const { props } = this;
    const { naming } = props;
    const role = new IamRole(this, 'ExecutionRole', {
      name: naming.short(`${props.name}-execution`, 64),
      assumeRolePolicy: serviceTrustPolicy('ecs-tasks.amazonaws.com', props.accountId),
    });
    new IamRolePolicy(this, 'ExecutionPolicy', {
      role: role.id,
      name: 'start-task',
      policy: Lazy.stringValue({ produce: () => policyDocument(this.executionStatements()) }),
    });
    return role;
  }

  /** Task role: what the application may do; only what config grants and enabled features need. */
  private createTaskRole(): IamRole {
    const { props } = this;
    const { naming } = props;
    return new IamRole(this, 'TaskRole', {
      name: naming.short(`${props.name}-task`, 64),
      assumeRolePolicy: serviceTrustPolicy('ecs-tasks.amazonaws.com', props.accountId),
    });
  }

  /**
   * What enabled features need on the task role: ECS Exec channels; and, in every task, what the
   * OpenTelemetry collector sidecar calls: X-Ray segments and telemetry, and the sampling reads it
   * proxies for X-Ray SDK clients (AWSXRayDaemonWriteAccess's set, on `*`).
   */
  private grantFeatures(): void {
    const { service } = this.props;
    if (service.enableExec) this.grant(...this.execStatements());
    this.grant(xrayStatement());
  }

  private createTaskDefinition(fullName: string): EcsTaskDefinition {
    const { service } = this.props;
    const writable = service.writablePaths;
    return new EcsTaskDefinition(this, 'TaskDefinition', {
      family: fullName,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: String(service.cpu),
      memory: String(service.memory),
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: service.architecture },
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      volume: writable.map((_, i) => ({ name: `scratch-${i}` })),
      containerDefinitions: Lazy.stringValue({
        produce: () =>
          JSON.stringify(
            containerDefinitions({
              props: this.props,
              logGroupName: this.logGroup.name,
              environment: this.environment,
              secrets: this.secrets,
            }),
          ),
      }),
    });
  }

  /** The service (rolling with circuit breaker, or CODE_DEPLOY), behind the target group if any. */
  private createService(fullName: string): EcsService {
    const { props } = this;
    const { service } = props;
    const codeDeploy = service.deployment.type === 'blueGreen';
    const ignoreChanges = [
      // CodeDeploy swaps the task definition and the target group on every deployment: an apply that
      // put them back would undo the deployment (docs/architecture.md, "Blue/green deployments").
      ...(service.deployedByCi || codeDeploy ? ['task_definition'] : []),
      ...(codeDeploy ? ['load_balancer'] : []),
      ...(service.autoscaling ? ['desired_count'] : []),
    ];
    return new EcsService(this, 'Service', {
      name: fullName,
      cluster: props.cluster.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: service.desiredCount,
      capacityProviderStrategy: [
        { capacityProvider: service.capacity === 'spot' ? 'FARGATE_SPOT' : 'FARGATE', weight: 1, base: 0 },
      ],
      platformVersion: 'LATEST',
      networkConfiguration: {
        subnets: props.subnetIds,
        securityGroups: [this.securityGroup.id],
        assignPublicIp: false,
      },
      ...(props.targetGroupArn
        ? {
            loadBalancer: [
              { targetGroupArn: props.targetGroupArn, containerName: APP, containerPort: service.port },
            ],
            healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
          }
        : {}),
      // Rolling (ECS): the circuit breaker rolls back, and works only with this controller.
      // Blue/green (CODE_DEPLOY): CodeDeploy's deployment group rolls back (blue-green-deployment.ts).
      deploymentController: { type: codeDeploy ? 'CODE_DEPLOY' : 'ECS' },
      ...(codeDeploy ? {} : { deploymentCircuitBreaker: { enable: true, rollback: true } }),
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableExecuteCommand: service.enableExec,
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      waitForSteadyState: false,
      lifecycle: ignoreChanges.length > 0 ? { ignoreChanges } : undefined,
      dependsOn: [props.cluster.capacityProviders, ...(props.dependsOn ?? [])],
    });
  }

  private executionStatements(): PolicyStatement[] {
    const { props } = this;
    const statements: PolicyStatement[] = [
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${this.logGroup.arn}:*`,
      },
    ];
    const pullFrom = [
      ...(props.repositoryArn ? [props.repositoryArn] : []),
      // GuardDuty's Fargate agent sidecar comes from an AWS-owned repository in each region.
      ...(props.guardDutyAgent
        ? [`arn:aws:ecr:${props.region}:*:repository/aws-guardduty-agent-fargate`]
        : []),
    ];
    if (pullFrom.length > 0) {
      statements.push({
        Sid: 'PullImages',
        Effect: 'Allow',
        // Pulling is these two (BatchCheckLayerAvailability is for pushing).
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: pullFrom,
      });
    }
    const secretArns = this.secretArns();
    if (secretArns.length > 0) {
      statements.push(
        ...secretsReadStatements({
          secrets: secretArns,
          key: props.secretsKmsKeyArn,
          region: props.region,
          sids: NAMED_SECRETS_SIDS,
        }),
      );
    }
    return statements;
  }

  /** The secrets ECS injects (each once, whatever keys of it are used). */
  private secretArns(): string[] {
    return [...new Set(Object.values(this.secrets).map((s) => s.arn))];
  }

  private execStatements(): PolicyStatement[] {
    const { cluster } = this.props;
    return [
      {
        Sid: 'EcsExecChannels',
        Effect: 'Allow',
        Action: [
          'ssmmessages:CreateControlChannel',
          'ssmmessages:CreateDataChannel',
          'ssmmessages:OpenControlChannel',
          'ssmmessages:OpenDataChannel',
        ],
        Resource: '*',
      },
      { Sid: 'EcsExecFindLogGroup', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
      {
        Sid: 'EcsExecLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        Resource: `${cluster.execLogGroup.arn}:*`,
      },
      { Sid: 'EcsExecSessionKey', Effect: 'Allow', Action: 'kms:Decrypt', Resource: cluster.execKmsKeyArn },
    ];
  }
}
