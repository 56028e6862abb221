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

export interface NodeFunctionProps {
  readonly naming: Naming;
  readonly accountId: string;
  /** The function's component name: `<project>-<env>-<name>`. */
  readonly name: string;
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
 * `statements` grant.
 */
export class NodeFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    const { naming } = props;
    const functionName = (this.functionName = naming.short(props.name, 64));
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
        ...props.contract.allow,
      ],
      deny: [
        {
          action: 'logs:PutLogEvents',
          resource: `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/${naming.name('other')}:log-stream:x`,
          because: "another function's log group",
        },
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
