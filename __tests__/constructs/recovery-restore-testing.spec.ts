/**
 * Restore tests in the recovery region (issue 28, constructs/data/recovery-restore-testing.ts): with
 * copies to a recovery region and `restoreTesting`, PlatformBackup adds a second restore testing plan
 * there (the `dr` provider, the DR vault only, the home plan's types and role, another week of the
 * month) and forwards its failed restore jobs to the home region's default bus, where the
 * observability layer's `backup-failed` rule pages critical. Construct tests on a bare stack; the
 * event patterns are matched against sample events by a small EventBridge matcher (the subset the
 * patterns use). Not run against AWS.
 */
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault';
import { PlatformBackup } from '../../constructs/data/backup-plan';
import {
  HOME_RESTORE_TEST_SCHEDULE,
  RECOVERY_RESTORE_TEST_SCHEDULE,
} from '../../constructs/data/recovery-restore-testing';
import { createEventRules, eventRuleSpecs } from '../../constructs/observability/event-rules';
import { KEYS, bareStack, configOf } from '../support/bare';
import { policy } from '../support/fixtures';
import type { Synthesized } from '../support/synthesized';

const RECOVERY_REGION = 'us-west-2';
const CRITICAL = 'arn:aws:sns:us-east-1:111111111111:webplat-prod-alerts-critical';
const WARNING = 'arn:aws:sns:us-east-1:111111111111:webplat-prod-alerts-warning';

interface Built {
  readonly out: Synthesized;
  readonly home: { readonly region: string; readonly accountId: string };
}

/** PlatformBackup of prod's shape, and the observability layer's event rules over its vaults. */
function build(opts: { copy: boolean; restoreTesting: boolean; environment?: 'prod' | 'staging' }): Built {
  const b = bareStack(configOf(opts.environment ?? 'prod'));
  const { accountId, region } = b.config;
  const provider = opts.copy ? b.regionalProvider('dr', RECOVERY_REGION) : undefined;
  new PlatformBackup(b.stack, 'Backup', {
    naming: b.naming,
    accountId,
    kmsKeyArn: KEYS.data,
    resources: {
      database: { arn: `arn:aws:rds:${region}:${accountId}:db:${b.naming.name('db')}`, cluster: false },
      tableArns: [`arn:aws:dynamodb:${region}:${accountId}:table/${b.naming.name('sessions')}`],
      bucketArns: [],
    },
    dailyRetentionDays: 30,
    weeklyRetentionDays: 90,
    copyTo: provider ? { provider, region: RECOVERY_REGION } : undefined,
    restoreTesting: opts.restoreTesting,
    restoreTestingTypes: ['RDS', 'DynamoDB'],
    includesBuckets: false,
    adminPrincipalArns: [`arn:aws:iam::${accountId}:role/platform-admin`],
  });
  // As the monitoring pass finds them: the vaults of the home region (no provider of their own).
  const backupVaultNames = b.stack.node
    .findAll()
    .filter((c): c is BackupVault => c instanceof BackupVault && c.provider === undefined)
    .map((v) => v.name);
  const sources = {
    backupVaultNames,
    clusterArns: [],
    serviceArns: [],
    dbInstanceIdentifiers: [],
    dbClusterIdentifiers: [],
    deploymentGroups: [],
  };
  createEventRules(b.stack, b.naming, eventRuleSpecs(sources), { critical: CRITICAL, warning: WARNING });
  return { out: b.synth(), home: { region, accountId } };
}

const ref = (type: string, id: string, attr: string) => `\${${type}.${id}.${attr}}`;
const idOf = (out: Synthesized, type: string, prefix: string) =>
  out.resources(type).find(([id]) => id.startsWith(prefix))?.[0];

/** The restore testing plans by where they run: `dr` (provider aws.dr) or home. */
function plans(out: Synthesized) {
  const all = out.resources('aws_backup_restore_testing_plan');
  return {
    home: all.filter(([, p]) => p.provider === undefined),
    dr: all.filter(([, p]) => p.provider === 'aws.dr'),
  };
}

/**
 * What must hold of the recovery region's restore testing (the checks the planted violations fail):
 * a plan there exists exactly when the DR vault and a home plan do, runs with the `dr` provider,
 * selects the DR vault only, at another time than the home plan; each of its selections runs there
 * with the home plan's role and types.
 */
function recoveryRestoreTestingProblems(out: Synthesized): string[] {
  const problems: string[] = [];
  const drVault = idOf(out, 'aws_backup_vault', 'Backup_DrVault');
  const homeVault = idOf(out, 'aws_backup_vault', 'Backup_Vault');
  const { home, dr } = plans(out);
  const expected = drVault !== undefined && home.length + dr.length > 0 ? 1 : 0;
  if (dr.length !== expected) problems.push(`${dr.length} recovery-region plans, expected ${expected}`);
  if (home.length > 1) problems.push(`${home.length} home-region plans, expected 1`);
  for (const [id, plan] of dr) {
    const vaults = plan.recovery_point_selection.flatMap((s: any) => s.include_vaults);
    if (JSON.stringify(vaults) !== JSON.stringify([ref('aws_backup_vault', drVault!, 'arn')]))
      problems.push(`${id} selects ${vaults.join(', ')}, not the DR vault only`);
    if (homeVault && JSON.stringify(plan).includes(ref('aws_backup_vault', homeVault, 'arn')))
      problems.push(`${id} names the primary vault`);
    if (plan.schedule_expression === home[0]?.[1].schedule_expression)
      problems.push(`${id} runs at the home plan's time`);
    const selections = out
      .resources('aws_backup_restore_testing_selection')
      .filter(([, s]) => s.restore_testing_plan_name === ref('aws_backup_restore_testing_plan', id, 'name'));
    const homeSelections = out
      .resources('aws_backup_restore_testing_selection')
      .filter(([, s]) => s.provider === undefined);
    const types = (list: Array<[string, any]>) => list.map(([, s]) => s.protected_resource_type).sort();
    if (JSON.stringify(types(selections)) !== JSON.stringify(types(homeSelections)))
      problems.push(`${id} tests ${types(selections)}, the home plan ${types(homeSelections)}`);
    for (const [sid, s] of selections) {
      if (s.provider !== 'aws.dr') problems.push(`${sid} is not created in the recovery region`);
      if (s.iam_role_arn !== homeSelections[0]?.[1].iam_role_arn)
        problems.push(`${sid} runs with another role than the home plan`);
    }
  }
  return problems;
}

// --- A minimal EventBridge matcher: exact strings, `wildcard`, nested objects and `$or`. ---

type Matcher = string | { wildcard: string };
const glob = (w: string) =>
  new RegExp(
    `^${w
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
const matchOne = (m: Matcher, value: unknown) =>
  typeof m === 'string' ? m === value : typeof value === 'string' && glob(m.wildcard).test(value);

function matches(pattern: Record<string, any>, event: Record<string, any> | undefined): boolean {
  if (event === undefined) return false;
  return Object.entries(pattern).every(([key, want]) => {
    if (key === '$or') return (want as Record<string, any>[]).some((branch) => matches(branch, event));
    const value = event[key];
    if (Array.isArray(want)) {
      const values = Array.isArray(value) ? value : [value];
      return value !== undefined && values.some((v) => want.some((m: Matcher) => matchOne(m, v)));
    }
    return typeof value === 'object' && matches(want, value);
  });
}

/** An event pattern with the vaults' references resolved to their names and ARNs. */
function resolvedPattern(out: Synthesized, pattern: string, home: Built['home']): Record<string, any> {
  let text = pattern;
  for (const [id, vault] of out.resources('aws_backup_vault')) {
    const region = vault.provider === 'aws.dr' ? RECOVERY_REGION : home.region;
    text = text
      .split(ref('aws_backup_vault', id, 'name'))
      .join(vault.name)
      .split(ref('aws_backup_vault', id, 'arn'))
      .join(`arn:aws:backup:${region}:${home.accountId}:backup-vault:${vault.name}`);
  }
  return JSON.parse(text);
}

/** A `Restore Job State Change` event (the fields the patterns read). */
function restoreEvent(region: string, accountId: string, vault: string, status = 'FAILED') {
  return {
    source: 'aws.backup',
    'detail-type': 'Restore Job State Change',
    region,
    account: accountId,
    detail: {
      restoreJobId: '0123abcd-0123-abcd-0123-0123456789ab',
      status,
      resourceType: 'RDS',
      backupVaultArn: `arn:aws:backup:${region}:${accountId}:backup-vault:${vault}`,
      iamRoleArn: `arn:aws:iam::${accountId}:role/webplat-prod-backup`,
    },
  };
}

describe('restore tests in the recovery region', () => {
  const built = build({ copy: true, restoreTesting: true });
  const { out } = built;

  it.each([
    [true, true, 1],
    [true, false, 0],
    [false, true, 0],
    [false, false, 0],
  ])('copyTo %s, restoreTesting %s: %i plan(s) in the recovery region', (copy, restoreTesting, n) => {
    const o = n === 1 ? out : build({ copy, restoreTesting }).out;
    expect(plans(o).dr).toHaveLength(n);
    expect(plans(o).home).toHaveLength(restoreTesting ? 1 : 0);
    expect(o.count('aws_cloudwatch_event_rule')).toBe(n === 1 ? 2 : 1); // + the home rule
    expect(idOf(o, 'aws_iam_role', 'Backup_DrEventsRole')).toEqual(n === 1 ? expect.any(String) : undefined);
    expect(recoveryRestoreTestingProblems(o)).toEqual([]);
  });

  it('runs with the dr provider, selects only the DR vault, two weeks after the home plan', () => {
    const [[id, plan]] = plans(out).dr;
    const drVault = idOf(out, 'aws_backup_vault', 'Backup_DrVault')!;
    expect(id).toMatch(/^Backup_DrRestoreTesting_/);
    expect(plan).toMatchObject({
      provider: 'aws.dr',
      name: 'webplat_prod_restore_test_dr',
      schedule_expression: RECOVERY_RESTORE_TEST_SCHEDULE,
      recovery_point_selection: [
        {
          algorithm: 'LATEST_WITHIN_WINDOW',
          include_vaults: [ref('aws_backup_vault', drVault, 'arn')],
          recovery_point_types: ['SNAPSHOT'],
        },
      ],
    });
    expect(plans(out).home[0][1].schedule_expression).toBe(HOME_RESTORE_TEST_SCHEDULE);
    expect(RECOVERY_RESTORE_TEST_SCHEDULE).not.toBe(HOME_RESTORE_TEST_SCHEDULE);
    const selections = out
      .resources('aws_backup_restore_testing_selection')
      .filter(([, s]) => s.provider === 'aws.dr')
      .map(([, s]) => s);
    expect(selections.map((s) => s.protected_resource_type).sort()).toEqual(['DynamoDB', 'RDS']);
    const role = ref('aws_iam_role', idOf(out, 'aws_iam_role', 'Backup_Role')!, 'arn');
    for (const s of selections) {
      expect(s).toMatchObject({
        iam_role_arn: role,
        restore_testing_plan_name: ref('aws_backup_restore_testing_plan', id, 'name'),
      });
      // Inferred metadata: the recovery region's default VPC, no home-region subnet group or groups.
      expect(s.restore_metadata_overrides).toBeUndefined();
    }
  });

  it('forwards failed restore jobs of the DR vault to the home bus, where backup-failed pages critical', () => {
    const { home } = built;
    const rules = Object.fromEntries(out.resources('aws_cloudwatch_event_rule'));
    const targets = out.resources('aws_cloudwatch_event_target').map(([, t]) => t);
    const forwardId = idOf(out, 'aws_cloudwatch_event_rule', 'Backup_DrRestoreFailed')!;
    const forward = rules[forwardId];
    expect(forward.provider).toBe('aws.dr');
    const forwardTarget = targets.find((t) => t.rule === ref('aws_cloudwatch_event_rule', forwardId, 'name'));
    const roleId = idOf(out, 'aws_iam_role', 'Backup_DrEventsRole')!;
    expect(forwardTarget).toMatchObject({
      provider: 'aws.dr',
      arn: `arn:aws:events:${home.region}:${home.accountId}:event-bus/default`,
      role_arn: ref('aws_iam_role', roleId, 'arn'),
    });
    // The forwarding role: trusted by EventBridge for this account's forwarding rule only, puts to
    // the home bus only.
    const trust = policy(out.resources('aws_iam_role').find(([id]) => id === roleId)![1].assume_role_policy);
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': home.accountId },
          ArnEquals: {
            'aws:SourceArn': `arn:aws:events:us-west-2:${home.accountId}:rule/${rules[forwardId].name}`,
          },
        },
      }),
    ]);
    const put = out
      .resources('aws_iam_role_policy')
      .find(([id]) => id.startsWith('Backup_DrEventsRolePolicy'))!;
    expect(policy(put[1].policy).Statement).toEqual([
      {
        Sid: 'PutToHomeBus',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: `arn:aws:events:${home.region}:${home.accountId}:event-bus/default`,
      },
    ]);
    // The home rule (no provider) targets the critical topic.
    const [homeId, homeRule] = out
      .resources('aws_cloudwatch_event_rule')
      .find(([, r]) => r.provider === undefined)!;
    expect(targets.find((t) => t.rule === ref('aws_cloudwatch_event_rule', homeId, 'name'))!.arn).toBe(
      CRITICAL,
    );

    const drPattern = resolvedPattern(out, forward.event_pattern, home);
    const homePattern = resolvedPattern(out, homeRule.event_pattern, home);
    const failed = restoreEvent(RECOVERY_REGION, home.accountId, 'webplat-prod-backup-dr');
    // Forwarded (the recovery region's rule matches), then paged (the home rule matches it as is).
    expect(matches(drPattern, failed)).toBe(true);
    expect(matches(homePattern, failed)).toBe(true);
    // A failed restore test of the home region pages too (restore jobs report `status`).
    expect(matches(homePattern, restoreEvent(home.region, home.accountId, 'webplat-prod-backup'))).toBe(true);
    // Neither a completed restore nor another environment's DR vault.
    const done = restoreEvent(RECOVERY_REGION, home.accountId, 'webplat-prod-backup-dr', 'COMPLETED');
    expect(matches(drPattern, done) || matches(homePattern, done)).toBe(false);
    const other = restoreEvent(RECOVERY_REGION, home.accountId, 'webplat-staging-backup-dr');
    expect(matches(drPattern, other) || matches(homePattern, other)).toBe(false);
    // Backup and copy jobs still match by `state` as before.
    const backupJob = {
      source: 'aws.backup',
      'detail-type': 'Backup Job State Change',
      detail: { state: 'FAILED', backupVaultName: 'webplat-prod-backup' },
    };
    expect(matches(homePattern, backupJob)).toBe(true);
    expect(
      matches(homePattern, {
        ...backupJob,
        detail: { state: 'COMPLETED', backupVaultName: 'webplat-prod-backup' },
      }),
    ).toBe(false);
  });

  it('keeps the DR vault named after the home vault (the home rule matches `<vault>-dr`)', () => {
    const names = out
      .resources('aws_backup_vault')
      .map(([, v]) => v.name)
      .sort();
    expect(names).toEqual(['webplat-prod-backup', 'webplat-prod-backup-dr']);
  });
});

describe('the checks can fail', () => {
  const { out } = build({ copy: true, restoreTesting: true });
  const planted = (edit: (json: any) => void): Synthesized => {
    const json = JSON.parse(JSON.stringify(out.json));
    edit(json);
    const resources = (type: string): Array<[string, any]> => Object.entries(json.resource?.[type] ?? {});
    return {
      json,
      resources,
      count: (type) => resources(type).length,
      only: (type) => resources(type)[0][1],
    };
  };
  const drPlan = (json: any) =>
    Object.values(json.resource.aws_backup_restore_testing_plan).find(
      (p: any) => p.provider === 'aws.dr',
    ) as any;
  const homeVault = ref('aws_backup_vault', idOf(out, 'aws_backup_vault', 'Backup_Vault')!, 'arn');

  it('a recovery-region plan that selects the primary vault', () => {
    const bad = planted((json) => drPlan(json).recovery_point_selection[0].include_vaults.push(homeVault));
    expect(recoveryRestoreTestingProblems(bad)).toEqual([
      expect.stringMatching(/selects .* not the DR vault only/),
      expect.stringMatching(/names the primary vault/),
    ]);
  });

  it('a recovery-region plan in the home region, at the home time', () => {
    const bad = planted((json) => {
      const plan = drPlan(json);
      plan.schedule_expression = HOME_RESTORE_TEST_SCHEDULE;
      delete plan.provider;
    });
    expect(recoveryRestoreTestingProblems(bad)).toEqual([
      expect.stringMatching(/0 recovery-region plans, expected 1/),
      expect.stringMatching(/2 home-region plans/),
    ]);
  });

  it('a forwarding rule for another vault than the one the home rule pages for', () => {
    const { home } = build({ copy: true, restoreTesting: true });
    const forwardId = idOf(out, 'aws_cloudwatch_event_rule', 'Backup_DrRestoreFailed')!;
    const homeRule = out.resources('aws_cloudwatch_event_rule').find(([, r]) => r.provider === undefined)![1];
    const pattern = resolvedPattern(out, homeRule.event_pattern, home);
    // The home rule without its recovery branch (as before this issue) misses the forwarded event.
    const before = { ...pattern, detail: { $or: pattern.detail.$or.slice(0, 2) } };
    const failed = restoreEvent(RECOVERY_REGION, home.accountId, 'webplat-prod-backup-dr');
    expect(
      matches(
        resolvedPattern(out, out.json.resource.aws_cloudwatch_event_rule[forwardId].event_pattern, home),
        failed,
      ),
    ).toBe(true);
    expect(matches(before, failed)).toBe(false);
  });
});
