/**
 * Evaluates synthesized IAM policies with @cloud-copilot/iam-simulate (identity policies, a
 * permissions boundary and a resource policy; no SCPs). Tests assert decisions, not policy text:
 * `decide({ identity: [doc], boundary, action, resource, principalArn }) === 'ExplicitlyDenied'`.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

/** A policy document: parsed JSON or the JSON string the constructs write. */
export type PolicyDoc = string | { Statement: unknown[]; Version?: string };

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface EvalRequest {
  /** Identity policies of the principal (inline and attached). */
  readonly identity: readonly PolicyDoc[];
  /** The principal's permissions boundary, if it has one. */
  readonly boundary?: PolicyDoc;
  /** The policy of the resource (bucket policy, key policy, ...), if any. */
  readonly resourcePolicy?: PolicyDoc;
  readonly action: string;
  /** Resource ARN, or `*` for actions without a resource type. */
  readonly resource: string;
  readonly principalArn: string;
  /** Context keys of the request (`iam:PermissionsBoundary`, `aws:ResourceTag/Environment`, ...). */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** Account owning the resource; default: the principal's account. */
  readonly resourceAccount?: string;
}

const asDoc = (p: PolicyDoc) => {
  const doc = typeof p === 'string' ? JSON.parse(p) : p;
  return { Version: '2012-10-17', ...doc };
};

const accountOf = (arn: string): string => arn.split(':')[4] ?? '';

/** The decision AWS would take (strict mode: absent context keys are absent). Throws on invalid input. */
export async function decide(req: EvalRequest): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: req.principalArn,
        action: req.action,
        resource: {
          resource: req.resource,
          accountId: req.resourceAccount ?? accountOf(req.principalArn),
        },
        contextVariables: { 'aws:PrincipalArn': req.principalArn, ...(req.context ?? {}) },
      },
      identityPolicies: req.identity.map((p, i) => ({ name: `identity-${i}`, policy: asDoc(p) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(req.resourcePolicy ? { resourcePolicy: asDoc(req.resourcePolicy) } : {}),
      ...(req.boundary
        ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: asDoc(req.boundary) }] }
        : {}),
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(
      `iam-simulate rejected ${req.action} on ${req.resource}: ${JSON.stringify(result.errors)}`,
    );
  }
  return result.overallResult as Decision;
}
