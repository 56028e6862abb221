import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { escalationDenials } from './contract-requests';
import {
  policyDocument,
  serviceTrustPolicy,
  type PolicyStatement,
  XRAY_PUT_ACTIONS,
  xrayStatement,
} from './iam';
import { encryptedLogGroup, type LogSettings } from './log-group';
import type { Naming } from './naming';
import { lambdaPackage } from './packaging';
import { type ContractRequest, declareContract, serviceTrustRequests } from './role-contract';
import type { OwnedSecurityGroup } from './security-group';

/** A function's role contract beyond its logs and traces (constructs/core/role-contract.ts). */
export interface FunctionContract {
  /** What the function is for, in one line. */
  readonly purpose: string;
  /**
   * What its handler (`serverless/<path>.ts: <Command>`) and its event source call: each grant in
   * `statements` is exercised by one of these.
   */
  readonly allow: readonly ContractRequest[];
  /** What it must never do (neighbours' resources, another environment). */
  readonly deny: readonly ContractRequest[];
}

/** Where a function in the VPC runs: subnets and its own security group. */
export interface FunctionVpc {
  /** The subnets Lambda places the function's network interfaces in (the private ones). */
  readonly subnetIds: readonly string[];
  /** The function's own group (each construct owns its group): its egress is what it may reach. */
  readonly securityGroup: OwnedSecurityGroup;
}

export interface NodeFunctionProps {
  readonly naming: Naming;
  readonly accountId: string;
  /** The function's component name: `<project>-<env>-<name>` (its role is `<project>-<env>-<name>-fn`). */
  readonly name: string;
  /**
   * The function's name where a convention outside the platform fixes it (CodeDeploy's ECS hooks:
   * `CodeDeployHook_*`), used exactly as given: at most 64 characters, never shortened (whoever
   * names it, e.g. an AppSpec, derives it by the same convention). The role, log group path and
   * contract follow it. Default: `<project>-<env>-<name>`, shortened to 64.
   */
  readonly functionName?: string;
  /**
   * Runs the function in the VPC (`vpc_config`): Lambda places its network interfaces in
   * `subnetIds` with `securityGroup`, and the role gets what Lambda needs for them (create in those
   * subnets with that group only; describe, delete and assign addresses: Lambda developer guide,
   * "Giving Lambda functions access to resources in an Amazon VPC"). Only for a function that must
   * reach something inside the VPC: the others stay outside. Default: outside the VPC.
   */
  readonly vpc?: FunctionVpc;
  /** The handler's folder under `serverless/` (its `handler.ts` exports `handler`). */
  readonly handler: string;
  readonly description: string;
  readonly logs: LogSettings;
  /** Reserved concurrency: a ceiling for the function (and its cost), from config. */
  readonly reservedConcurrency: number;
  /** Default: 512 MB (seed 000). */
  readonly memoryMb?: number;
  /** Default: 10 s. */
  readonly timeoutSeconds?: number;
  /** Default: none. */
  readonly environment?: Record<string, string>;
  /** What the function may do beyond writing its logs and traces. Default: nothing. */
  readonly statements?: readonly PolicyStatement[];
  /** The requests behind `statements`, and what the function must never do. */
  readonly contract: FunctionContract;
}

/**
 * A TypeScript Lambda function with the platform's posture: Node.js 22, built and packaged during
 * synthesis (packaging.ts), X-Ray active tracing, reserved concurrency, its own KMS-encrypted log
 * group with retention, and a role that may write that log group, send traces, and do only what
 * `statements` grant (and, in the VPC, what Lambda needs for the function's network interfaces).
 */
export class NodeFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    const { naming } = props;
    if (props.functionName !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(props.functionName))
      throw new Error(
        `NodeFunction ${props.name}: function name ${props.functionName} is not 1-64 letters, digits, '-' or '_'`,
      );
    const functionName = (this.functionName = props.functionName ?? naming.short(props.name, 64));
    const logGroup = encryptedLogGroup(this, 'LogGroup', `/aws/lambda/${functionName}`, props.logs);
    this.role = new IamRole(this, 'Role', {
      name: naming.short(`${props.name}-fn`, 64),
      assumeRolePolicy: serviceTrustPolicy('lambda.amazonaws.com', props.accountId),
    });
    new IamRolePolicy(this, 'Policy', {
      role: this.role.id,
      name: 'function',
      policy: policyDocument([
        {
          Sid: 'OwnLogGroup',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${logGroup.arn}:*`,
        },
        // Active tracing: Lambda samples, the function role only sends.
        xrayStatement({ sampling: false }),
        ...(props.vpc ? vpcStatements(props.naming, props.accountId, props.vpc) : []),
        ...(props.statements ?? []),
      ]),
    });
    const pkg = lambdaPackage(props.handler);
    const asset = new TerraformAsset(this, 'Package', {
      path: pkg.zipPath,
      type: AssetType.FILE,
      assetHash: pkg.sourceHash,
    });
    this.function = new LambdaFunction(this, 'Function', {
      functionName,
      description: props.description,
      role: this.role.arn,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      architectures: ['arm64'],
      memorySize: props.memoryMb ?? 512,
      timeout: props.timeoutSeconds ?? 10,
      filename: asset.path,
      sourceCodeHash: pkg.codeSha256,
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracingConfig: { mode: 'Active' },
      loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      environment: props.environment ? { variables: props.environment } : undefined,
      vpcConfig: props.vpc
        ? { subnetIds: [...props.vpc.subnetIds], securityGroupIds: [props.vpc.securityGroup.id] }
        : undefined,
      dependsOn: [logGroup],
    });
    // The handler the package bundles: the SDK-call test finds the function's role by it.
    this.function.addOverride('//.handler', `serverless/${props.handler}/handler.ts`);
    this.declareContract(props, logGroup.arn);
  }

  private declareContract(props: NodeFunctionProps, logGroupArn: string): void {
    const { naming, accountId } = props;
    const region = naming.props.region;
    const stream = `${logGroupArn}:log-stream:2025/01/01/[$LATEST]0123456789abcdef`;
    declareContract(this.role, {
      purpose: props.contract.purpose,
      allow: [
        ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
          action,
          resource: stream,
          because: 'Lambda runtime writes the function output to its log group (logging_config)',
        })),
        ...XRAY_PUT_ACTIONS.map((action) => ({
          action,
          resource: '*',
          because: 'Lambda active tracing (tracing_config Active) sends segments with the function role',
        })),
        ...(props.vpc ? vpcRequests(naming, accountId, props.vpc).allow : []),
        ...props.contract.allow,
      ],
      deny: [
        {
          action: 'logs:PutLogEvents',
          resource: `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/${naming.name('other')}:log-stream:x`,
          because: "another function's log group",
        },
        ...(props.vpc ? vpcRequests(naming, accountId, props.vpc).deny : []),
        ...props.contract.deny,
        ...escalationDenials(naming),
      ],
      trust: serviceTrustRequests(
        'lambda.amazonaws.com',
        accountId,
        `Lambda runs ${this.functionName} with it`,
        [{ principal: 'ecs-tasks.amazonaws.com', because: 'no other service' }],
      ),
    });
  }
}

/** The EC2 calls Lambda makes with the role of a function in the VPC (`vpc`), by what they act on. */
export const FUNCTION_VPC_ACTIONS = {
  /** Create the function's (Hyperplane) interfaces: the interface, its subnet and its group. */
  create: ['ec2:CreateNetworkInterface'],
  /** On the interfaces Lambda created (their ids are Lambda's: all the account's interfaces in the region). */
  manage: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
  /** Describe calls, which accept only `"*"` (core/iam.ts WILDCARD_RESOURCE_ACTIONS). */
  describe: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
} as const;

const ec2Arn = (naming: Naming, accountId: string, resource: string) =>
  `arn:aws:ec2:${naming.props.region}:${accountId}:${resource}`;

/**
 * What Lambda needs of the role of a function in the VPC (the actions of AWS's
 * AWSLambdaVPCAccessExecutionRole v3 without its logs grants, scoped): creating interfaces only in
 * the function's subnets with its own group; the rest on the account's interfaces, since Lambda
 * names them (the Lambda developer guide asks for every interface id on DeleteNetworkInterface).
 */
function vpcStatements(naming: Naming, accountId: string, vpc: FunctionVpc): PolicyStatement[] {
  const interfaces = ec2Arn(naming, accountId, 'network-interface/*');
  return [
    {
      Sid: 'VpcInterfacesInOwnSubnets',
      Effect: 'Allow',
      Action: [...FUNCTION_VPC_ACTIONS.create],
      Resource: [
        interfaces,
        ...vpc.subnetIds.map((id) => ec2Arn(naming, accountId, `subnet/${id}`)),
        ec2Arn(naming, accountId, `security-group/${vpc.securityGroup.id}`),
      ],
    },
    {
      Sid: 'ManageVpcInterfaces',
      Effect: 'Allow',
      Action: [...FUNCTION_VPC_ACTIONS.manage],
      Resource: interfaces,
    },
    { Sid: 'DescribeVpcNetwork', Effect: 'Allow', Action: [...FUNCTION_VPC_ACTIONS.describe], Resource: '*' },
  ];
}

/** The requests behind vpcStatements, and the interfaces the role must not create. */
function vpcRequests(
  naming: Naming,
  accountId: string,
  vpc: FunctionVpc,
): { allow: ContractRequest[]; deny: ContractRequest[] } {
  const because =
    'Lambda creates and manages the function\'s network interfaces with its role (vpc_config; Lambda developer guide, "Giving Lambda functions access to resources in an Amazon VPC")';
  const eni = ec2Arn(naming, accountId, 'network-interface/eni-0123456789abcdef0');
  const create = (resource: string) => ({ action: 'ec2:CreateNetworkInterface', resource, because });
  return {
    allow: [
      create(eni),
      ...vpc.subnetIds.map((id) => create(ec2Arn(naming, accountId, `subnet/${id}`))),
      create(ec2Arn(naming, accountId, `security-group/${vpc.securityGroup.id}`)),
      ...FUNCTION_VPC_ACTIONS.manage.map((action) => ({ action, resource: eni, because })),
      ...FUNCTION_VPC_ACTIONS.describe.map((action) => ({ action, resource: '*', because })),
    ],
    deny: [
      {
        action: 'ec2:CreateNetworkInterface',
        resource: ec2Arn(naming, accountId, 'subnet/subnet-0f0000000000000ff'),
        because: "an interface in another subnet (a public one): only the function's own subnets",
      },
      {
        action: 'ec2:CreateNetworkInterface',
        resource: ec2Arn(naming, accountId, 'security-group/sg-0f0000000000000ff'),
        because: "an interface with another group (another workload's reach): only its own group",
      },
    ],
  };
}
