/** Stack-wide guardrails (constructs/core/guards.ts) over every stack the registry defines. */
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Construct } from 'constructs';
import { pipelineRoleNames, policyArn } from '../../constructs/core/naming';
import { STATEFUL_TYPES } from '../../constructs/core/stateful';
import { registry } from '../../environments';
import { PROJECT } from '../../environments/accounts';
import { baselineStackId, platformStackId } from '../../stacks/stack-ids';
import { appStacks } from '../support/app-synth';
import { buildStacks, envInput, registryOf, synth } from '../support/fixtures';

const stacks = appStacks();
const guarded = [
  ...Object.entries(stacks.baseline).map(([slug, out]) => [baselineStackId(slug), out] as const),
  ...Object.entries(stacks.platform).map(([name, out]) => [platformStackId(name), out] as const),
];
/** The account's workload boundary (baseline roles), or an environment's (its platform stack's roles). */
const boundaryOf = (accountId: string, env?: string) =>
  policyArn(accountId, pipelineRoleNames.workloadBoundary(PROJECT, env));
const envsOfTier = (tier: string) => Object.values(registry.environments).filter((e) => e.tier === tier);

describe.each(guarded)('%s', (stackId, out) => {
  const accountId = out.json.provider.aws[0].allowed_account_ids[0];

  it("gives every role the workload permissions boundary: its environment's, or the account's", () => {
    const env = Object.values(registry.environments).find((e) => stackId === platformStackId(e.name));
    const roles = out.resources('aws_iam_role');
    expect(roles.length).toBeGreaterThan(0);
    for (const [id, role] of roles)
      expect(`${id}: ${role.permissions_boundary}`).toBe(`${id}: ${boundaryOf(accountId, env?.name)}`);
  });

  it('names every role under the stack prefix', () => {
    const env = Object.values(registry.environments).find((e) => stackId === platformStackId(e.name));
    const prefix = env ? `${PROJECT}-${env.name}-` : `${PROJECT}-`;
    for (const [, role] of out.resources('aws_iam_role')) expect(role.name.startsWith(prefix)).toBe(true);
  });
});

describe('prevent_destroy', () => {
  const stateful = (out: ReturnType<typeof synth>) =>
    STATEFUL_TYPES.flatMap((t) => out.resources(t).map(([id, r]) => [`${t}.${id}`, r] as const));

  it.each(envsOfTier('production').map((e) => e.name))(
    'is on every stateful resource of %s (production)',
    (name) => {
      const list = stateful(stacks.platform[name]);
      expect(list.length).toBeGreaterThan(5);
      for (const [address, r] of list)
        expect(`${address}: ${r.lifecycle?.prevent_destroy}`).toBe(`${address}: true`);
    },
  );

  it.each(envsOfTier('non-production').map((e) => e.name))('is not forced on %s (non-production)', (name) => {
    for (const [, r] of stateful(stacks.platform[name])) expect(r.lifecycle?.prevent_destroy).toBeUndefined();
  });

  it('is lifted by a waiver naming the resource by construct path or address, with its reason', () => {
    const env = envInput('prod');
    env.guards = {
      waivers: [
        {
          rule: 'prevent-destroy',
          resource: 'Data/Bucket-exports/Bucket/Bucket',
          reason: 'disposable exports',
        },
      ],
    };
    const out = synth(buildStacks(registryOf([env])).platform.prod);
    const buckets = out.resources('aws_s3_bucket').map(([, b]) => b);
    const exportsBucket = buckets.find((b) => /-exports-/.test(b.bucket));
    expect(exportsBucket.lifecycle?.prevent_destroy).toBeUndefined();
    expect(buckets.filter((b) => b.lifecycle?.prevent_destroy).length).toBe(buckets.length - 1);
  });

  it('rejects a waiver that names no resource, with its path', () => {
    const env = envInput('prod');
    env.guards = { waivers: [{ rule: 'prevent-destroy', resource: 'Data/Nothing', reason: 'x' }] };
    expect(() => synth(buildStacks(registryOf([env])).platform.prod)).toThrow(
      /guards\.waivers\[0\]\.resource/,
    );
  });

  it('rejects a waiver without a reason, with its path', () => {
    const env = envInput('prod');
    env.guards = { waivers: [{ rule: 'prevent-destroy', resource: 'Data/Database/Instance', reason: ' ' }] };
    expect(() => registryOf([env])).toThrow(/guards\.waivers\[0\]\.reason: a waiver needs a reason/);
  });
});

describe('a role a new construct adds', () => {
  it('gets the boundary too, and must be named under the prefix', () => {
    const { platform } = buildStacks(registryOf([envInput('dev')]));
    const stack = platform.dev;
    const extra = new Construct(stack, 'SomethingNew');
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    new IamRole(extra, 'Role', { name: `${PROJECT}-dev-something`, assumeRolePolicy: trust });
    const out = synth(stack);
    const role = out.resources('aws_iam_role').find(([id]) => id.startsWith('SomethingNew_'))![1];
    expect(role.permissions_boundary).toBe(boundaryOf(stack.config.accountId, 'dev'));

    new IamRole(extra, 'Unprefixed', { name: 'someone-else', assumeRolePolicy: trust });
    expect(() => synth(stack)).toThrow(/role name someone-else must start with webplat-dev-/);
  });
});
