/**
 * Every IAM role of every stack the app synthesizes keeps its contract (constructs/core/role-contract.ts):
 * its must-allow requests are allowed and its must-deny requests are not, by the synthesized identity
 * policies + boundary + resource policy; its trust admits exactly who it should; every grant of its
 * own policies is exercised by a must-allow. The stacks and roles come from the registry and the
 * synthesized JSON; docs/roles.md is generated from the same reports. The last block plants
 * violations (a narrowed boundary, a widened policy, a role without a contract, an unused grant) to
 * show the checks can fail.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry } from '../../environments';
import { rolesDocument } from '../../scripts/contracts/doc';
import {
  decideFor,
  evaluateRole,
  type EvaluationOptions,
  type RoleReport,
} from '../../scripts/contracts/evaluate';
import { commonDenies, managedPolicies, readStacks, registryStackIds } from '../../scripts/contracts/stacks';
import { buildWorld, type World, type WorldRole } from '../../scripts/contracts/world';
import { appStackDir } from '../support/app-synth';

const ids = registryStackIds(registry);
const outDir = join(appStackDir(ids[0]), '..', '..');
const raw = readStacks(outDir, ids);
const world = buildWorld(raw);
const options: EvaluationOptions = { ...managedPolicies, commonDenies: commonDenies(registry) };
const reports = new Map<string, RoleReport>();
const key = (r: WorldRole) => `${r.stack} ${r.name}`;

describe.each(ids)('%s', (stack) => {
  const roles = world.roles.filter((r) => r.stack === stack);
  const names = roles.map((r) => r.name);
  if (names.length === 0) it('has no role', () => expect(roles).toEqual([]));
  else
    it.each(names)('%s keeps its contract', async (name) => {
      const role = roles.find((r) => r.name === name)!;
      const report = await evaluateRole(world, role, options);
      reports.set(key(role), report);
      expect(report.problems).toEqual([]);
    });
});

describe('docs/roles.md', () => {
  it('is current (run npm run roles when this fails)', async () => {
    const all: RoleReport[] = [];
    for (const role of world.roles)
      all.push(reports.get(key(role)) ?? (await evaluateRole(world, role, options)));
    expect(readFileSync(join(__dirname, '..', '..', 'docs', 'roles.md'), 'utf8')).toBe(rolesDocument(all));
  });
});

describe('the checks can fail', () => {
  const flowLogRole = world.roles.find((r) => r.stack === ids.at(-1) && r.name.endsWith('-vpc-flow-logs'))!;
  const withRole = (role: WorldRole): World => ({ ...world, roles: [role] });

  it('a boundary that loses an action the role needs fails a must-allow', async () => {
    const boundary = flowLogRole.boundary!;
    const narrowed: WorldRole = {
      ...flowLogRole,
      boundary: {
        ...boundary,
        document: {
          ...boundary.document,
          Statement: [
            ...boundary.document.Statement,
            { Effect: 'Deny', Action: 'logs:PutLogEvents', Resource: '*' },
          ],
        },
      },
    };
    const { problems } = await evaluateRole(withRole(narrowed), narrowed, options);
    expect(problems).toEqual([expect.stringMatching(/must-allow logs:PutLogEvents .* is ExplicitlyDenied/)]);
  });

  it('a policy widened past the contract fails a must-deny', async () => {
    const widened: WorldRole = {
      ...flowLogRole,
      policies: [
        ...flowLogRole.policies,
        { name: 'widened', document: { Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] } },
      ],
    };
    const { problems } = await evaluateRole(withRole(widened), widened, options);
    expect(problems).toContainEqual(expect.stringMatching(/must-deny logs:PutLogEvents .* is Allowed/));
    expect(problems).toContainEqual(expect.stringMatching(/must-deny logs:DeleteLogGroup .* is Allowed/));
  });

  it('a grant that no must-allow request makes fails, as does a trust that admits too much', async () => {
    const loose: WorldRole = {
      ...flowLogRole,
      policies: [
        ...flowLogRole.policies,
        {
          name: 'unused',
          document: {
            Statement: [{ Sid: 'Extra', Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*' }],
          },
        },
      ],
      trust: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      },
    };
    const { problems } = await evaluateRole(withRole(loose), loose, options);
    expect(problems).toContainEqual(
      expect.stringMatching(/unused\/Extra: logs:GetLogEvents is granted but no must-allow/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/trust deny sts:AssumeRole by vpc-flow-logs.* is Allowed/),
    );
  });

  it('a role without a contract fails', async () => {
    const bare: WorldRole = { ...flowLogRole, contract: undefined };
    expect((await evaluateRole(withRole(bare), bare, options)).problems).toEqual([
      expect.stringMatching(/no contract/),
    ]);
  });

  it("an action evaluated beyond the simulator's data holds only on its resource (the test-traffic hook's report)", async () => {
    const hook = world.roles.find((r) => r.name.endsWith('-test-traffic-fn'))!;
    const report = 'codedeploy:PutLifecycleEventHookExecutionStatus';
    // Its grant moved to another deployment group: the must-allow on its own group fails.
    const moved: WorldRole = {
      ...hook,
      policies: hook.policies.map((p) => ({
        ...p,
        document: JSON.parse(
          JSON.stringify(p.document).replace(/(deploymentgroup:[^"/]+)\/[^"]+/, '$1/other'),
        ),
      })),
    };
    expect((await evaluateRole(withRole(moved), moved, options)).problems).toContainEqual(
      expect.stringMatching(new RegExp(`must-allow ${report} on .*deploymentgroup.* is ImplicitlyDenied`)),
    );
    // A request on another resource than the one its service's guide names is an error, not a decision.
    await expect(
      decideFor(world, hook, { action: report, resource: '*', because: 'planted' }, options),
    ).rejects.toThrow(/evaluated on the resource .* not on \*/);
  });

  it('an AWS managed policy the contract does not name fails', async () => {
    const extra: WorldRole = {
      ...flowLogRole,
      managed: [{ name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    };
    expect((await evaluateRole(withRole(extra), extra, options)).problems).toContainEqual(
      expect.stringMatching(/attaches ReadOnlyAccess, which the contract does not name/),
    );
  });
});
