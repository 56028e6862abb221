/**
 * Evaluates role contracts against the synthesized policies with @cloud-copilot/iam-simulate:
 * identity policies (inline, attached customer and AWS managed) + permissions boundary + the
 * resource's policy for each must-allow and must-deny request, the trust policy for each trust
 * request. Besides the decisions it checks that every action and resource an own policy grants is
 * exercised by a must-allow request (least privilege proven, not claimed), that the contract names
 * exactly the AWS managed policies the role attaches, and that no request carries a context key the
 * action cannot have (the simulator would ignore it silently).
 */
import {
  createValidatedPolicy,
  validateIdentityPolicy,
  validateResourcePolicy,
  validateTrustPolicy,
} from '@cloud-copilot/iam-policy';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { ContractRequest, TrustRequest } from '../../constructs/core/role-contract';
import type { PolicyDocument, World, WorldRole } from './world';

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface Verdict {
  readonly kind: 'allow' | 'deny' | 'trust allow' | 'trust deny';
  readonly request: ContractRequest | TrustRequest;
  readonly decision: Decision;
  readonly ok: boolean;
}

export interface RoleReport {
  readonly role: WorldRole;
  readonly verdicts: readonly Verdict[];
  /** Everything wrong with the role's contract, one line each; empty when it holds. */
  readonly problems: readonly string[];
}

export interface EvaluationOptions {
  /** The document of an AWS managed policy at a version (`v3`); throws when the source lacks it. */
  managedDocument(name: string, version: string): PolicyDocument;
  /** The version the managed-policy source holds as current for a policy. */
  managedLatestVersion(name: string): string;
  /** Must-deny requests every role of its kind carries besides its own (escalation, the state). Default: none. */
  commonDenies?(role: WorldRole): readonly ContractRequest[];
}

const TRUST_ACTIONS = new Set(['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession']);

/**
 * Actions the simulator's data (the Service Authorization Reference) lists without a resource type,
 * so it accepts them only on `*`, while the service authorizes them on a resource its own guide
 * names. A request for one is evaluated on that resource without the simulator's request
 * validation (no context keys: none is modelled); a request on any other resource is an error.
 */
export const RESOURCE_LEVEL_BEYOND_REFERENCE: Readonly<
  Record<string, { readonly resource: RegExp; readonly source: string }>
> = {
  'codedeploy:PutLifecycleEventHookExecutionStatus': {
    resource: /^arn:aws:codedeploy:[a-z0-9-]+:\d{12}:deploymentgroup:[^/]+\/.+$/,
    source:
      'CodeDeploy user guide, "CodeDeploy permissions reference": the deployment group (AWS CDK\'s deployment groups grant it so)',
  },
};

/** `*` and `?` wildcards of IAM, case-insensitive for actions. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, caseInsensitive ? 'i' : '').test(value);
}

/** The account an ARN names (`arn:aws:ecr:<region>:<account>:...`), if it names one. */
const accountInArn = (arn: string): string | undefined => /^\d{12}$/.exec(arn.split(':')[4] ?? '')?.[0];

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [String(v)]);

/**
 * A document validated once as the kind of policy it is (the simulator reuses a validated policy
 * instead of validating it again for every request: ReadOnlyAccess alone lists thousands of actions).
 */
const validations = new Map<unknown, WeakMap<object, ReturnType<typeof createValidatedPolicy>>>();
function validated(
  doc: PolicyDocument,
  validate: typeof validateIdentityPolicy,
  name: string,
): ReturnType<typeof createValidatedPolicy> {
  const byDoc = validations.get(validate) ?? new WeakMap();
  validations.set(validate, byDoc);
  let hit = byDoc.get(doc);
  if (!hit) {
    hit = createValidatedPolicy({ Version: '2012-10-17', ...doc }, validate, { name });
    byDoc.set(doc, hit);
  }
  return hit;
}

/** The decision on one request of `role` (identity + boundary + resource policy). */
export async function decideFor(
  world: World,
  role: WorldRole,
  request: ContractRequest,
  options: EvaluationOptions,
): Promise<{ decision: Decision; ignored: string[] }> {
  const managed = (role.contract?.managed ?? []).map((m) => ({
    name: m.name,
    policy: validated(options.managedDocument(m.name, m.version), validateIdentityPolicy, m.name),
  }));
  const found = world.resourcePolicyOf(request.resource);
  const resourcePolicy = found && validated(found, validateResourcePolicy, 'resource');
  const simulation = {
    request: {
      principal: role.arn,
      action: request.action,
      resource: {
        resource: request.resource,
        accountId:
          request.resourceAccount ??
          world.accountOf(request.resource) ??
          accountInArn(request.resource) ??
          role.account,
      },
      contextVariables: {
        'aws:PrincipalArn': role.arn,
        'aws:PrincipalAccount': role.account,
        ...(request.context as Record<string, string | string[]>),
      },
    },
    identityPolicies: [
      ...role.policies.map((p) => ({
        name: p.name,
        policy: validated(p.document, validateIdentityPolicy, p.name),
      })),
      ...managed,
    ],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
    ...(role.boundary
      ? {
          permissionBoundaryPolicies: [
            {
              name: role.boundary.name,
              policy: validated(role.boundary.document, validateIdentityPolicy, role.boundary.name),
            },
          ],
        }
      : {}),
  };
  const beyond = RESOURCE_LEVEL_BEYOND_REFERENCE[request.action];
  if (beyond) {
    if (!beyond.resource.test(request.resource) || Object.keys(request.context ?? {}).length > 0)
      throw new Error(
        `${role.name}: ${request.action} is evaluated on the resource ${beyond.source} names, without context; not on ${request.resource}`,
      );
    return { decision: runUnsafeSimulation(simulation, {}) as unknown as Decision, ignored: [] };
  }
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error')
    throw new Error(
      `${role.name}: iam-simulate rejected ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`,
    );
  const ignored = ((result as { ignoredContextKeys?: string[] }).ignoredContextKeys ?? []).filter(
    (k) => !['aws:PrincipalArn', 'aws:PrincipalAccount'].includes(k),
  );
  return { decision: result.overallResult as Decision, ignored };
}

/**
 * The decision of the role's trust policy on an assume request. The GitHub and Cognito claims are
 * keys the simulator's action data does not list for the STS actions (AWS STS evaluates them all the
 * same), so trust runs through `runUnsafeSimulation` with the trust policy validated as one.
 */
export function trustDecision(role: WorldRole, request: TrustRequest): Decision {
  const action = request.action ?? 'sts:AssumeRole';
  if (!TRUST_ACTIONS.has(action)) throw new Error(`${role.name}: ${action} is not an assume action`);
  const policy = createValidatedPolicy({ Version: '2012-10-17', ...role.trust }, validateTrustPolicy, {
    name: 'trust',
  });
  if (policy.errors.length > 0)
    throw new Error(`${role.name}: invalid trust policy: ${JSON.stringify(policy.errors)}`);
  const result = runUnsafeSimulation(
    {
      request: {
        principal: request.principal,
        action,
        resource: { resource: role.arn, accountId: role.account },
        contextVariables: { ...(request.context as Record<string, string | string[]>) },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policy,
    },
    {},
  );
  return result as unknown as Decision;
}

/** Grants of the role's own policies that no must-allow request exercises. */
export function unexercisedGrants(role: WorldRole): string[] {
  const allows = role.contract?.allow ?? [];
  const out: string[] = [];
  for (const policy of role.policies)
    for (const s of policy.document.Statement) {
      if (s.Effect !== 'Allow') continue;
      const where = `${policy.name}${s.Sid ? `/${s.Sid}` : ''}`;
      if (s.NotAction || s.NotResource) {
        out.push(`${where}: NotAction/NotResource in an Allow cannot be proven least-privilege`);
        continue;
      }
      const actions = list(s.Action);
      const resources = list(s.Resource);
      const hits = allows.filter(
        (a) =>
          actions.some((p) => wildcardMatch(p, a.action, true)) &&
          resources.some((p) => wildcardMatch(p, a.resource)),
      );
      for (const p of actions)
        if (!hits.some((a) => wildcardMatch(p, a.action, true)))
          out.push(`${where}: ${p} is granted but no must-allow request makes it`);
      for (const p of resources)
        if (!hits.some((a) => wildcardMatch(p, a.resource)))
          out.push(`${where}: resource ${p} is granted but no must-allow request reaches it`);
    }
  return out;
}

const describe = (r: ContractRequest | TrustRequest) =>
  'resource' in r ? `${r.action} on ${r.resource}` : `${r.action ?? 'sts:AssumeRole'} by ${r.principal}`;

/** Evaluates one role's contract; problems are empty when it holds. */
export async function evaluateRole(
  world: World,
  role: WorldRole,
  options: EvaluationOptions,
): Promise<RoleReport> {
  const contract = role.contract;
  const where = `${role.stack} ${role.name}`;
  if (!contract)
    return { role, verdicts: [], problems: [`${where}: no contract (declareContract beside the role)`] };
  const problems: string[] = [];
  const verdicts: Verdict[] = [];

  const declared = new Set((contract.managed ?? []).map((m) => m.name));
  const attached = new Set(role.managed.map((m) => m.name));
  for (const name of attached)
    if (!declared.has(name)) problems.push(`${where}: attaches ${name}, which the contract does not name`);
  for (const m of contract.managed ?? []) {
    if (!attached.has(m.name)) problems.push(`${where}: the contract names ${m.name}, which is not attached`);
    const latest = options.managedLatestVersion(m.name);
    if (latest !== m.version)
      problems.push(
        `${where}: ${m.name} is at ${latest} in the managed-policy source; the contract read ${m.version}`,
      );
  }
  if (contract.allow.length === 0 && role.policies.length + role.managed.length > 0)
    problems.push(`${where}: grants permissions but no must-allow request says why`);

  const identity = async (kind: 'allow' | 'deny', r: ContractRequest) => {
    const { decision, ignored } = await decideFor(world, role, r, options);
    const ok = kind === 'allow' ? decision === 'Allowed' : decision !== 'Allowed';
    verdicts.push({ kind, request: r, decision, ok });
    if (!ok) problems.push(`${where}: must-${kind} ${describe(r)} is ${decision} (${r.because})`);
    if (ignored.length > 0)
      problems.push(
        `${where}: ${describe(r)} carries context keys the action cannot have: ${ignored.join(', ')}`,
      );
  };
  for (const r of contract.allow) await identity('allow', r);
  for (const r of [...contract.deny, ...(options.commonDenies?.(role) ?? [])]) await identity('deny', r);
  for (const [kind, requests] of [
    ['trust allow', contract.trust.allow],
    ['trust deny', contract.trust.deny],
  ] as const) {
    if (kind === 'trust allow' && requests.length === 0) problems.push(`${where}: nobody may assume it`);
    if (kind === 'trust deny' && requests.length === 0)
      problems.push(`${where}: no trust request must be denied`);
    for (const r of requests) {
      const decision = trustDecision(role, r);
      const ok = kind === 'trust allow' ? decision === 'Allowed' : decision !== 'Allowed';
      verdicts.push({ kind, request: r, decision, ok });
      if (!ok) problems.push(`${where}: ${kind} ${describe(r)} is ${decision} (${r.because})`);
    }
  }
  problems.push(...unexercisedGrants(role).map((p) => `${where}: ${p}`));
  return { role, verdicts, problems };
}
