/**
 * Policy evaluation for the workload side's tests, with `@cloud-copilot/iam-simulate`: who may do
 * what given identity statements, a resource policy and a permissions boundary, as AWS decides it.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface EvalRequest {
  /** The calling role's ARN. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. */
  readonly resourceAccount: string;
  /** The caller's identity-policy statements. Default: none. */
  readonly identity?: readonly unknown[];
  /** The resource's policy document (object or JSON text). Default: none. */
  readonly resourcePolicy?: unknown;
  readonly context?: Record<string, string | string[]>;
  /** The VPC endpoint policy the request passes through (object or JSON text). Default: none. */
  readonly endpointPolicy?: unknown;
}

const doc = (statements: readonly unknown[]) => ({ Version: '2012-10-17', Statement: statements });

/** AWS's decision on one request; `aws:PrincipalArn` and `aws:PrincipalAccount` are filled in. */
export async function decide(r: EvalRequest): Promise<Decision> {
  const parse = (p: unknown) => (typeof p === 'string' ? JSON.parse(p) : p);
  const resourcePolicy = parse(r.resourcePolicy);
  const result = await runSimulation(
    {
      request: {
        principal: r.principal,
        action: r.action,
        resource: { resource: r.resource, accountId: r.resourceAccount },
        contextVariables: {
          'aws:PrincipalArn': r.principal,
          'aws:PrincipalAccount': r.principal.split(':')[4],
          ...r.context,
        },
      },
      identityPolicies: r.identity?.length ? [{ name: 'identity', policy: doc(r.identity) }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
      ...(r.endpointPolicy
        ? { vpcEndpointPolicies: [{ name: 'endpoint', policy: parse(r.endpointPolicy) }] }
        : {}),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors, null, 2));
  return result.overallResult as Decision;
}
