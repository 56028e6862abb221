import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import type { Construct } from 'constructs';
import { waiveGuardrail } from '../constructs/core/guardrails';
import { policyDocument } from '../constructs/core/iam';
import { pipelineRoleNames } from '../constructs/core/naming';
import { environmentWorkloadBoundaryStatements } from '../constructs/delivery/boundaries';
import type { AccountConfig } from '../environments/schema';

export interface ReferenceBoundaryProps {
  readonly account: AccountConfig;
  readonly accountSlug: string;
  /** The reference configuration's name (`seed000`). */
  readonly name: string;
  /** The account's environments: what the boundary keeps the reference's roles away from. */
  readonly otherEnvironments: readonly string[];
}

/**
 * The workload boundary of a reference configuration's roles, in the reference's own stack: an
 * environment's comes from its account's state stack (with its pipeline roles), but a reference
 * has no pipeline and is never deployed, so nothing of it belongs in a stack that is. The same
 * statements as an environment's boundary (delivery/boundaries.ts), under the name its roles name.
 */
export function referenceBoundary(scope: Construct, props: ReferenceBoundaryProps): IamPolicy {
  const { account } = props;
  const { project, accountId, state } = account;
  const policy = new IamPolicy(scope, 'ReferenceWorkloadBoundary', {
    name: pipelineRoleNames.workloadBoundary(project, props.name),
    description: `Permissions boundary of every role the ${props.name} reference configuration creates`,
    policy: policyDocument(
      environmentWorkloadBoundaryStatements(
        { project, accountId, accountSlug: props.accountSlug },
        {
          bucketArn: `arn:aws:s3:::${state.bucket}`,
          lockTableArn: `arn:aws:dynamodb:${state.region}:${accountId}:table/${state.lockTable}`,
        },
        props.name,
        props.otherEnvironments,
      ),
    ),
  });
  waiveGuardrail(
    policy,
    'iam-wildcard',
    'a permissions boundary is a ceiling by service; the bounded roles grant the actions',
  );
  return policy;
}
