import { CodedeployApp } from '@cdktf/provider-aws/lib/codedeploy-app';
import { CodedeployDeploymentConfig } from '@cdktf/provider-aws/lib/codedeploy-deployment-config';
import { CodedeployDeploymentGroup } from '@cdktf/provider-aws/lib/codedeploy-deployment-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { BlueGreenConfig, TrafficShift } from '../../environments/schema/deployment';
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from '../core/iam';
import type { Naming } from '../core/naming';
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
  /** What the group waits for: CodeDeploy refuses a group for a service that does not exist yet. */
  readonly dependsOn?: ITerraformDependable[];
}

/** The deployment configuration name for a traffic shift: a CodeDeploy default or our own. */
export function deploymentConfigName(prefix: string, service: string, shift: TrafficShift): string {
  if (shift.type === 'allAtOnce') return 'CodeDeployDefault.ECSAllAtOnce';
  return `${prefix}-${service}-${shift.type}-${shift.percent}pct-${shift.minutes}min`;
}

/**
 * CodeDeploy blue/green for one ECS service (docs/architecture.md, "Blue/green deployments"): the
 * application, the deployment group (traffic shift from config, the test listener, the old task set
 * kept `terminationWaitMinutes`, automatic rollback on a failed deployment) and the service role
 * CodeDeploy acts with, limited to this service's task sets, listeners and roles. The monitoring
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

  /** What CodeDeploy does for ECS blue/green, on this service's resources only. */
  private statements(props: BlueGreenDeploymentProps): PolicyStatement[] {
    const { target } = props;
    const ecs = `arn:aws:ecs:${props.region}:${props.accountId}`;
    const prefix = props.naming.prefix;
    return [
      {
        Sid: 'TaskSets',
        Effect: 'Allow',
        Action: [
          'ecs:CreateTaskSet',
          'ecs:DeleteTaskSet',
          'ecs:DescribeServices',
          'ecs:UpdateServicePrimaryTaskSet',
          // The service propagates its tags to the task sets CodeDeploy creates.
          'ecs:TagResource',
        ],
        Resource: [props.serviceArn, `${ecs}:task-set/${props.clusterName}/${props.serviceName}/*`],
      },
      {
        // The Describe calls of Elastic Load Balancing accept only "*" (service authorization reference).
        Sid: 'FindListeners',
        Effect: 'Allow',
        Action: [
          'elasticloadbalancing:DescribeListeners',
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetHealth',
        ],
        Resource: '*',
      },
      {
        Sid: 'ShiftTraffic',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:ModifyListener', 'elasticloadbalancing:ModifyRule'],
        Resource: [
          target.productionListenerArn,
          target.testListenerArn,
          ...(target.productionRuleArn ? [target.productionRuleArn] : []),
        ],
      },
      {
        Sid: 'ReadAlarms',
        Effect: 'Allow',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: `arn:aws:cloudwatch:${props.region}:${props.accountId}:alarm:${prefix}-*`,
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
}
