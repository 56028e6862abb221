import { CodedeployApp } from '@cdktf/provider-aws/lib/codedeploy-app';
import { CodedeployDeploymentConfig } from '@cdktf/provider-aws/lib/codedeploy-deployment-config';
import { CodedeployDeploymentGroup } from '@cdktf/provider-aws/lib/codedeploy-deployment-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { BlueGreenConfig, TrafficShift } from '../../environments/schema/deployment';
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from '../core/iam';
import { type Naming, testTrafficHookName } from '../core/naming';
import { type RoleContract, declareContract, serviceTrustRequests } from '../core/role-contract';
import type { BlueGreenTarget } from '../core/routing';

export interface BlueGreenDeploymentProps {
  readonly naming: Naming;
  /** Service name, e.g. `backend`: the application and group are `<project>-<env>-<service>`. */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
  /** The ECS service (controller `CODE_DEPLOY`) and its ARN. */
  readonly serviceName: string;
  readonly serviceArn: string;
  /** The task and execution roles CodeDeploy passes to the new task set. */
  readonly taskRoleArns: string[];
  readonly settings: BlueGreenConfig;
  /** The edge's target group pair and listeners. */
  readonly target: BlueGreenTarget;
  /**
   * The service's `AfterAllowTestTraffic` hook (test-traffic-hook.ts), which the AppSpec names:
   * CodeDeploy invokes it with this role.
   */
  readonly testTrafficHookArn: string;
  /** What the group waits for: CodeDeploy refuses a group for a service that does not exist yet. */
  readonly dependsOn?: ITerraformDependable[];
}

/** The deployment configuration name for a traffic shift: a CodeDeploy default or our own. */
export function deploymentConfigName(prefix: string, service: string, shift: TrafficShift): string {
  if (shift.type === 'allAtOnce') return 'CodeDeployDefault.ECSAllAtOnce';
  return `${prefix}-${service}-${shift.type}-${shift.percent}pct-${shift.minutes}min`;
}

/** The AWS managed policy CodeDeploy documents for ECS blue/green: what its service role is called for. */
const CODEDEPLOY_FOR_ECS = 'AWSCodeDeployRoleForECS v3 (CodeDeploy user guide, "Amazon ECS deployments")';

/**
 * CodeDeploy blue/green for one ECS service (docs/architecture.md, "Blue/green deployments"): the
 * application, the deployment group (traffic shift from config, the test listener, the old task set
 * kept `terminationWaitMinutes`, automatic rollback on a failed deployment) and the service role
 * CodeDeploy acts with — one per service, limited to this service's task sets (created only from a
 * revision of the service's own family: `ecs:task-definition`), listeners, roles and its
 * test-traffic hook (the only function it may invoke). The monitoring
 * pass adds the service's alarms and rollback on them (observability/deployment-alarms.ts).
 */
export class BlueGreenDeployment extends Construct {
  readonly application: CodedeployApp;
  readonly group: CodedeployDeploymentGroup;
  readonly role: IamRole;
  readonly deploymentConfigName: string;

  constructor(scope: Construct, id: string, props: BlueGreenDeploymentProps) {
    super(scope, id);
    const { naming, settings, target } = props;
    const name = naming.name(props.name);
    this.application = new CodedeployApp(this, 'Application', { name, computePlatform: 'ECS' });
    this.role = new IamRole(this, 'Role', {
      name: naming.short(`${props.name}-codedeploy`, 64),
      assumeRolePolicy: serviceTrustPolicy('codedeploy.amazonaws.com', props.accountId),
    });
    new IamRolePolicy(this, 'RolePolicy', {
      role: this.role.id,
      name: 'blue-green',
      policy: policyDocument(this.statements(props)),
    });
    declareContract(this.role, this.contract(props));
    this.deploymentConfigName = this.createDeploymentConfig(props);
    this.group = new CodedeployDeploymentGroup(this, 'Group', {
      appName: this.application.name,
      deploymentGroupName: name,
      serviceRoleArn: this.role.arn,
      deploymentConfigName: this.deploymentConfigName,
      deploymentStyle: { deploymentOption: 'WITH_TRAFFIC_CONTROL', deploymentType: 'BLUE_GREEN' },
      blueGreenDeploymentConfig: {
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
        terminateBlueInstancesOnDeploymentSuccess: {
          action: 'TERMINATE',
          terminationWaitTimeInMinutes: settings.terminationWaitMinutes,
        },
      },
      ecsService: { clusterName: props.clusterName, serviceName: props.serviceName },
      loadBalancerInfo: {
        targetGroupPairInfo: {
          prodTrafficRoute: { listenerArns: [target.productionListenerArn] },
          testTrafficRoute: { listenerArns: [target.testListenerArn] },
          targetGroup: [{ name: target.blueTargetGroupName }, { name: target.greenTargetGroupName }],
        },
      },
      // Alarm-based rollback (DEPLOYMENT_STOP_ON_ALARM) joins when alarms are attached.
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
      dependsOn: props.dependsOn,
    });
  }

  private createDeploymentConfig(props: BlueGreenDeploymentProps): string {
    const shift = props.settings.trafficShift;
    const configName = deploymentConfigName(props.naming.prefix, props.name, shift);
    if (shift.type === 'allAtOnce') return configName;
    const step = { interval: shift.minutes, percentage: shift.percent };
    const config = new CodedeployDeploymentConfig(this, 'Config', {
      deploymentConfigName: configName,
      computePlatform: 'ECS',
      trafficRoutingConfig:
        shift.type === 'canary'
          ? { type: 'TimeBasedCanary', timeBasedCanary: step }
          : { type: 'TimeBasedLinear', timeBasedLinear: step },
    });
    return config.deploymentConfigName;
  }

  /** The service's task definition family (`<project>-<env>-<service>`, every revision). */
  private family(props: BlueGreenDeploymentProps, name = props.name): string {
    return `arn:aws:ecs:${props.region}:${props.accountId}:task-definition/${props.naming.name(name)}:*`;
  }

  /** What CodeDeploy does for ECS blue/green, on this service's resources only. */
  private statements(props: BlueGreenDeploymentProps): PolicyStatement[] {
    const { target } = props;
    const ecs = `arn:aws:ecs:${props.region}:${props.accountId}`;
    const prefix = props.naming.prefix;
    const taskSets = `${ecs}:task-set/${props.clusterName}/${props.serviceName}/*`;
    return [
      {
        Sid: 'Service',
        Effect: 'Allow',
        Action: ['ecs:DescribeServices', 'ecs:UpdateServicePrimaryTaskSet'],
        Resource: props.serviceArn,
      },
      {
        // The replacement task set runs a revision of the service's own family only (the AppSpec
        // names it by ARN): not the migration task, another service's or environment's.
        Sid: 'CreateOwnTaskSets',
        Effect: 'Allow',
        Action: 'ecs:CreateTaskSet',
        Resource: taskSets,
        Condition: { ArnLike: { 'ecs:task-definition': this.family(props) } },
      },
      { Sid: 'DeleteTaskSets', Effect: 'Allow', Action: 'ecs:DeleteTaskSet', Resource: taskSets },
      {
        // The service propagates its tags to the task sets CodeDeploy creates: tagging on creation only.
        Sid: 'TagNewTaskSets',
        Effect: 'Allow',
        Action: 'ecs:TagResource',
        Resource: taskSets,
        Condition: { StringEquals: { 'ecs:CreateAction': 'CreateTaskSet' } },
      },
      {
        // The Describe calls of Elastic Load Balancing accept only "*" (service authorization reference).
        Sid: 'FindListeners',
        Effect: 'Allow',
        Action: [
          'elasticloadbalancing:DescribeListeners',
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups',
        ],
        Resource: '*',
      },
      {
        // The production route is the rule (or, for the listener's default service, the listener).
        Sid: 'ShiftTraffic',
        Effect: 'Allow',
        Action: 'elasticloadbalancing:ModifyListener',
        Resource: [target.productionListenerArn, target.testListenerArn],
      },
      ...(target.productionRuleArn
        ? [
            {
              Sid: 'ShiftTrafficRule',
              Effect: 'Allow' as const,
              Action: 'elasticloadbalancing:ModifyRule',
              Resource: target.productionRuleArn,
            },
          ]
        : []),
      {
        Sid: 'ReadAlarms',
        Effect: 'Allow',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: `arn:aws:cloudwatch:${props.region}:${props.accountId}:alarm:${prefix}-*`,
      },
      {
        // The AppSpec's AfterAllowTestTraffic hook, and no other function.
        Sid: 'InvokeTestTrafficHook',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: props.testTrafficHookArn,
      },
      {
        Sid: 'PassTaskRoles',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: props.taskRoleArns,
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    ];
  }

  /**
   * What CodeDeploy calls with the role during a deployment (the calls of AWS's AWSCodeDeployRoleForECS,
   * on this service's resources), and what it must never reach: another family in the task set,
   * another service, the migration task's roles, other listeners.
   */
  private contract(props: BlueGreenDeploymentProps): RoleContract {
    const { target } = props;
    const ecs = `arn:aws:ecs:${props.region}:${props.accountId}`;
    const prefix = props.naming.prefix;
    const taskSet = (service: string) => `${ecs}:task-set/${props.clusterName}/${service}/ecs-svc/0123456789`;
    const revision = (name: string) => this.family(props, name).replace(/\*$/, '9');
    const own = taskSet(props.serviceName);
    const by = (call: string) => `${CODEDEPLOY_FOR_ECS}: ${call}`;
    const toEcs = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };
    const otherService = props.naming.name('other');
    const shifts = [
      ...[target.productionListenerArn, target.testListenerArn].map((arn) => ({
        action: 'elasticloadbalancing:ModifyListener',
        resource: arn,
      })),
      ...(target.productionRuleArn
        ? [{ action: 'elasticloadbalancing:ModifyRule', resource: target.productionRuleArn }]
        : []),
    ];
    return {
      purpose: `CodeDeploy's service role for ${props.serviceName}: replacement task sets of its own family, traffic shifts on its listeners`,
      allow: [
        { action: 'ecs:DescribeServices', resource: props.serviceArn, because: by('ecs:DescribeServices') },
        {
          action: 'ecs:CreateTaskSet',
          resource: own,
          context: { 'ecs:task-definition': revision(props.name), 'ecs:service': props.serviceArn },
          because: by(
            "ecs:CreateTaskSet with the AppSpec's TaskDefinition (app-image.yml job 'deploy' writes it)",
          ),
        },
        {
          action: 'ecs:TagResource',
          resource: own,
          context: { 'ecs:CreateAction': 'CreateTaskSet' },
          because:
            'ECS tagging authorization: CreateTaskSet with the tags the service propagates (ECS developer guide, "Tagging your resources")',
        },
        {
          action: 'ecs:UpdateServicePrimaryTaskSet',
          resource: props.serviceArn,
          because: by('ecs:UpdateServicePrimaryTaskSet (traffic moved)'),
        },
        {
          action: 'ecs:DeleteTaskSet',
          resource: own,
          because: by('ecs:DeleteTaskSet (the old task set, after the wait)'),
        },
        ...[
          'elasticloadbalancing:DescribeListeners',
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups',
        ].map((action) => ({ action, resource: '*', because: by(action) })),
        ...shifts.map((r) => ({ ...r, because: by(`${r.action} (the production and test routes)`) })),
        {
          action: 'cloudwatch:DescribeAlarms',
          resource: `arn:aws:cloudwatch:${props.region}:${props.accountId}:alarm:${props.naming.name(`${props.name}-running-tasks`)}`,
          because: by("cloudwatch:DescribeAlarms (the group's rollback alarms)"),
        },
        ...props.taskRoleArns.map((arn) => ({
          action: 'iam:PassRole',
          resource: arn,
          context: toEcs,
          because: by("iam:PassRole (the new task set's task and execution roles)"),
        })),
        {
          action: 'lambda:InvokeFunction',
          resource: props.testTrafficHookArn,
          because: by(
            "lambda:InvokeFunction (the AppSpec's AfterAllowTestTraffic hook: app-image.yml job 'deploy' names it)",
          ),
        },
      ],
      deny: [
        {
          action: 'ecs:CreateTaskSet',
          resource: own,
          context: { 'ecs:task-definition': revision('db-migrate') },
          because: 'the migration task (the master credential) in its service',
        },
        {
          action: 'ecs:CreateTaskSet',
          resource: own,
          context: { 'ecs:task-definition': revision('other') },
          because: "another service's task definition in its service",
        },
        {
          action: 'ecs:CreateTaskSet',
          resource: own,
          context: {
            'ecs:task-definition': `${ecs}:task-definition/${props.naming.props.project}-elsewhere-${props.name}:9`,
          },
          because: "another environment's task definition of the same service",
        },
        {
          action: 'ecs:CreateTaskSet',
          resource: taskSet(otherService),
          context: { 'ecs:task-definition': revision(props.name) },
          because: 'another service',
        },
        {
          action: 'ecs:UpdateServicePrimaryTaskSet',
          resource: `${ecs}:service/${props.clusterName}/${otherService}`,
          because: 'another service',
        },
        {
          action: 'ecs:TagResource',
          resource: own,
          context: { 'ecs:CreateAction': 'TagResource' },
          because: 'retags no existing task set',
        },
        ...['db-migrate-task', 'db-migrate-execution', 'other-task'].map((r) => ({
          action: 'iam:PassRole',
          resource: `arn:aws:iam::${props.accountId}:role/${props.naming.name(r)}`,
          context: toEcs,
          because: "passes only its service's two roles",
        })),
        {
          action: 'elasticloadbalancing:ModifyListener',
          resource: `arn:aws:elasticloadbalancing:${props.region}:${props.accountId}:listener/app/${prefix}-other/0123456789abcdef/0123456789abcdef`,
          because: 'only its own routes',
        },
        {
          action: 'ecs:RunTask',
          resource: revision('db-migrate'),
          because: 'runs no task',
        },
        {
          action: 'lambda:InvokeFunction',
          resource: `arn:aws:lambda:${props.region}:${props.accountId}:function:${testTrafficHookName(prefix, 'other')}`,
          because: "another service's hook",
        },
        {
          action: 'lambda:InvokeFunction',
          resource: `arn:aws:lambda:${props.region}:${props.accountId}:function:${props.naming.name('other')}`,
          because: 'invokes no function but its hook',
        },
      ],
      trust: serviceTrustRequests(
        'codedeploy.amazonaws.com',
        props.accountId,
        'the deployment group (service_role_arn) in this account',
        [{ principal: 'ecs-tasks.amazonaws.com', because: 'no task assumes it' }],
      ),
    };
  }
}
