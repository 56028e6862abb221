import { Construct } from 'constructs';
import { otherEnvironment } from '../core/contract-requests';
import type { PolicyStatement } from '../core/iam';
import type { LogSettings } from '../core/log-group';
import { type Naming, testTrafficHookName } from '../core/naming';
import { NodeFunction, type FunctionContract } from '../core/node-function';
import type { BlueGreenTarget } from '../core/routing';
import { connect, OwnedSecurityGroup } from '../core/security-group';

/** Rounds of probes over every load balancer address before the hook reports `Failed`. */
export const PROBE_ATTEMPTS = 10;
/** Seconds between rounds: the new task set has about a minute to answer healthy everywhere. */
export const PROBE_INTERVAL_SECONDS = 6;
/** One probe's socket timeout (serverless/test-traffic-hook/handler.ts). */
const PROBE_REQUEST_SECONDS = 5;
/**
 * The function's timeout: every round at its slowest, and time to report. A hook that timed out
 * would not report, and CodeDeploy would wait an hour for it before failing the deployment.
 */
export const HOOK_TIMEOUT_SECONDS = PROBE_ATTEMPTS * (PROBE_REQUEST_SECONDS + PROBE_INTERVAL_SECONDS) + 30;
/** CodeDeploy runs one deployment of a group at a time; one more for a retried invocation. */
const RESERVED_CONCURRENCY = 2;

/** The ARN of a service's deployment group (application and group are both `<project>-<env>-<service>`). */
export function deploymentGroupArn(naming: Naming, accountId: string, service: string): string {
  const name = naming.name(service);
  return `arn:aws:codedeploy:${naming.props.region}:${accountId}:deploymentgroup:${name}/${name}`;
}

export interface TestTrafficHookProps {
  readonly naming: Naming;
  readonly accountId: string;
  /** The blue/green service, e.g. `backend`. */
  readonly service: string;
  readonly vpcId: string;
  /** Private subnets: the function reaches the load balancer inside the VPC, the APIs through NAT. */
  readonly subnetIds: readonly string[];
  /** The load balancer's group: it admits the hook's group on the test listener's port. */
  readonly loadBalancerSecurityGroup: OwnedSecurityGroup;
  /** The edge's blue/green pieces of the service: the test listener and the load balancer. */
  readonly target: BlueGreenTarget;
  /** The site's name: the probe's TLS server name and Host header (the listener's certificate). */
  readonly host: string;
  /** The service's health check path (the target group's). */
  readonly healthCheckPath: string;
  readonly logs: LogSettings;
}

/**
 * The `AfterAllowTestTraffic` hook of one blue/green service (docs/architecture.md, "Blue/green
 * deployments"): a Lambda function, `CodeDeployHook_<project>-<env>-<service>-test-traffic`, that
 * CodeDeploy invokes once the replacement task set is behind the test listener. It probes the
 * service's health check path through the test listener at the load balancer's private addresses
 * (serverless/test-traffic-hook/) and reports `Succeeded`, or `Failed` and CodeDeploy rolls back
 * before any production traffic moves. It runs in the VPC because the test listener admits only the
 * VPC: its own group may reach the load balancer on the test port and AWS APIs on 443, nothing else.
 * Its role may describe network interfaces and report on this service's deployment group only.
 */
export class TestTrafficHook extends Construct {
  readonly fn: NodeFunction;
  readonly securityGroup: OwnedSecurityGroup;

  constructor(scope: Construct, id: string, props: TestTrafficHookProps) {
    super(scope, id);
    const { naming, service, target } = props;
    const functionName = testTrafficHookName(naming.prefix, service);
    if (functionName.length > 64)
      throw new Error(
        `services.${service}: its test-traffic hook ${functionName} is longer than Lambda's 64 characters; the AppSpec derives the name, so it is not shortened: use a shorter service name`,
      );
    this.securityGroup = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name: naming.name(`${service}-test-traffic`),
      description: `AfterAllowTestTraffic hook of ${service}: the test listener, AWS APIs`,
    });
    // The EC2 and CodeDeploy APIs, through NAT or the interface endpoints.
    this.securityGroup.allowToCidrs(
      ['0.0.0.0/0'],
      443,
      'HTTPS to the EC2 and CodeDeploy APIs (NAT, endpoints)',
    );
    connect(
      this.securityGroup,
      props.loadBalancerSecurityGroup,
      target.testListenerPort,
      `Test-traffic hook of ${service} to the test listener`,
      { clientEgress: true },
    );
    const group = deploymentGroupArn(naming, props.accountId, service);
    const statements: PolicyStatement[] = [
      {
        Sid: 'ReportHookStatus',
        Effect: 'Allow',
        Action: 'codedeploy:PutLifecycleEventHookExecutionStatus',
        Resource: group,
      },
    ];
    this.fn = new NodeFunction(this, 'Function', {
      naming,
      accountId: props.accountId,
      name: `${service}-test-traffic`,
      functionName,
      handler: 'test-traffic-hook',
      description: `AfterAllowTestTraffic hook of ${naming.name(service)}: probes the test listener, reports to CodeDeploy`,
      logs: props.logs,
      reservedConcurrency: RESERVED_CONCURRENCY,
      timeoutSeconds: HOOK_TIMEOUT_SECONDS,
      environment: {
        PROBE_HOST: props.host,
        PROBE_PORT: String(target.testListenerPort),
        PROBE_PATH: props.healthCheckPath,
        PROBE_ATTEMPTS: String(PROBE_ATTEMPTS),
        PROBE_INTERVAL_SECONDS: String(PROBE_INTERVAL_SECONDS),
        ALB_ID: target.loadBalancerArnSuffix,
      },
      vpc: { subnetIds: props.subnetIds, securityGroup: this.securityGroup },
      statements,
      contract: this.contract(props, group),
    });
  }

  /** Its handler's two calls; what it must never do besides (another group, routes, functions, secrets). */
  private contract(props: TestTrafficHookProps, group: string): FunctionContract {
    const { naming, accountId, service } = props;
    const region = naming.props.region;
    const handler = 'serverless/test-traffic-hook/handler.ts';
    const report = 'codedeploy:PutLifecycleEventHookExecutionStatus';
    return {
      purpose: `AfterAllowTestTraffic hook of ${naming.name(service)}: probes the test listener, reports the verdict to CodeDeploy`,
      allow: [
        {
          action: 'ec2:DescribeNetworkInterfaces',
          resource: '*',
          because: `${handler}: DescribeNetworkInterfacesCommand (the load balancer's private addresses)`,
        },
        {
          action: report,
          resource: group,
          because: `${handler}: PutLifecycleEventHookExecutionStatusCommand (the verdict on its group's deployment)`,
        },
      ],
      deny: [
        {
          action: report,
          resource: deploymentGroupArn(naming, accountId, 'other'),
          because: "another service's deployments",
        },
        {
          action: report,
          resource: deploymentGroupArn(otherEnvironment(naming), accountId, service),
          because: "another environment's deployments of the service",
        },
        {
          action: 'codedeploy:CreateDeployment',
          resource: group,
          because: 'it reports on deployments, never starts one',
        },
        {
          action: 'elasticloadbalancing:ModifyListener',
          resource: props.target.testListenerArn,
          because: 'CodeDeploy moves the routes, never the hook',
        },
        {
          action: 'lambda:InvokeFunction',
          resource: `arn:aws:lambda:${region}:${accountId}:function:${naming.name('other')}`,
          because: 'invokes no function',
        },
        {
          action: 'secretsmanager:GetSecretValue',
          resource: `arn:aws:secretsmanager:${region}:${accountId}:secret:${naming.name('other')}-AbCdEf`,
          because: 'reads no secret',
        },
      ],
    };
  }
}
