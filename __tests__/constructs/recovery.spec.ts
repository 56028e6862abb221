/**
 * Immutable recovery (AWS Backup Vault Lock, the vault policy, the data key's deletion guard), with
 * the policies evaluated as AWS would (`@cloud-copilot/iam-simulate`).
 */
import { configOf } from '../support/bare';
import { ADMINS, dataLayer } from '../support/data-layer';
import { policy, synthPlatform, envInput } from '../support/fixtures';
import { decide } from '../support/iam-eval-workload';
import { parseEnvironmentConfig } from '../../environments/schema';

const ACCOUNT = '111111111111';
const ADMIN = ADMINS[0];
const APPLY = `arn:aws:iam::${ACCOUNT}:role/webplat-prod-github-apply`;
const prod = dataLayer(configOf('prod'));

describe('backup vaults', () => {
  it('lock both vaults in compliance mode (prod)', () => {
    const locks = prod.resources('aws_backup_vault_lock_configuration').map(([, l]) => l);
    expect(locks).toHaveLength(2);
    for (const l of locks)
      expect(l).toMatchObject({ min_retention_days: 7, max_retention_days: 365, changeable_for_days: 3 });
    expect(
      locks
        .map((l) => l.backup_vault_name)
        .sort()
        .join(),
    ).toMatch(/Backup_DrVault_.*Backup_Vault_/);
  });

  it('omit changeableForDays in governance mode', () => {
    const out = dataLayer(
      configOf('staging', (e) => {
        e.backup = { vaultLock: { mode: 'governance', minRetentionDays: 1, maxRetentionDays: 365 } };
      }),
    );
    expect(out.only('aws_backup_vault_lock_configuration').changeable_for_days).toBeUndefined();
  });

  it('copy to the DR account vault when one is configured', () => {
    const arn = 'arn:aws:backup:us-east-1:222222222222:backup-vault:webplat-dr';
    const out = dataLayer(configOf('prod', (e) => (e.backup.copyToAccount = arn)));
    const rules = out.only('aws_backup_plan').rule;
    for (const r of rules) expect(r.copy_action.map((c: any) => c.destination_vault_arn)).toContain(arn);
  });

  const vaultPolicy = policy(prod.resources('aws_backup_vault_policy')[0][1].policy);
  const allowAll = [{ Effect: 'Allow', Action: 'backup:*', Resource: '*' }];
  const recoveryPoint = `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:1234abcd-0000-0000-0000-000000000000`;
  const asks = (principal: string, action: string, resource = recoveryPoint) =>
    decide({
      principal,
      action,
      resource,
      resourceAccount: ACCOUNT,
      identity: allowAll,
      resourcePolicy: vaultPolicy,
    });

  it.each(['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'])(
    'deny %s to an apply role even with backup:* in IAM; allow the admin',
    async (action) => {
      expect(await asks(APPLY, action)).toBe('ExplicitlyDenied');
      expect(await asks(ADMIN, action)).toBe('Allowed');
    },
  );

  it('deny changing the vault policy or lock to everyone but the admin', async () => {
    const vault = `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:webplat-prod-backup`;
    for (const action of ['backup:PutBackupVaultAccessPolicy', 'backup:DeleteBackupVaultLockConfiguration']) {
      expect(await asks(APPLY, action, vault)).toBe('ExplicitlyDenied');
      expect(await asks(ADMIN, action, vault)).toBe('Allowed');
    }
  });
});

describe('the data key', () => {
  const out = synthPlatform(envInput('prod'));
  const data = out.resources('aws_kms_key').find(([id]) => id.startsWith('Keys_Data'))![1];
  const keyPolicy = policy(data.policy);
  const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-1111-1111-1111-111111111111`;
  const kmsAll = [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }];
  const asks = (principal: string, action: string) =>
    decide({
      principal,
      action,
      resource: keyArn,
      resourceAccount: ACCOUNT,
      identity: kmsAll,
      resourcePolicy: keyPolicy,
    });

  it('names principals: no statement admits AWS "*" except the deny', () => {
    for (const s of keyPolicy.Statement)
      if (s.Effect === 'Allow') expect(JSON.stringify(s.Principal)).not.toContain('"*"');
  });

  it.each(['kms:ScheduleKeyDeletion', 'kms:DisableKey'])(
    'denies %s to a non-admin with kms:* in IAM, allows the admin',
    async (action) => {
      expect(await asks(APPLY, action)).toBe('ExplicitlyDenied');
      expect(await asks(ADMIN, action)).toBe('Allowed');
    },
  );

  it('keeps use through a service working for a role IAM allows', async () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/webplat-prod-backend-task`;
    const use = await decide({
      principal: role,
      action: 'kms:Decrypt',
      resource: keyArn,
      resourceAccount: ACCOUNT,
      identity: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn }],
      resourcePolicy: keyPolicy,
      context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': ACCOUNT },
    });
    expect(use).toBe('Allowed');
  });
});

describe('backup config', () => {
  const rejected = (edit: (e: any) => void) => {
    const input = envInput('prod');
    edit(input);
    return () => parseEnvironmentConfig(input);
  };
  it('requires a compliance vault lock in production', () => {
    expect(rejected((e) => delete e.backup.vaultLock)).toThrow(
      /backup\.vaultLock: a compliance-mode vault lock/,
    );
    expect(rejected((e) => (e.backup.vaultLock.mode = 'governance'))).toThrow(/backup\.vaultLock/);
  });
  it('rejects a lock that would fail the plan, and a DR copy to the own account', () => {
    expect(rejected((e) => (e.backup.vaultLock.minRetentionDays = 31))).toThrow(
      /backup\.vaultLock\.minRetentionDays: 31 is above the shortest retention/,
    );
    expect(rejected((e) => (e.backup.vaultLock.maxRetentionDays = 60))).toThrow(/maxRetentionDays/);
    expect(
      rejected((e) => (e.backup.copyToAccount = `arn:aws:backup:us-east-1:${e.accountId}:backup-vault:x`)),
    ).toThrow(/backup\.copyToAccount: .* own account/);
  });
});
