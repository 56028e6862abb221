import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from '../core/iam';
import { encryptedLogGroup, type LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import { lambdaPackage } from './packaging';

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
        {
          Sid: 'XRayTraces',
          Effect: 'Allow',
          Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          Resource: '*',
        },
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
  }
}
