/**
 * The on-demand backup before a risky change (scripts/workflows/backup-before-change.ts): a
 * production environment's apply and migration jobs start an AWS Backup job of the database into
 * the environment's vault with the AWS Backup role, and watch it. The requests its roles make, and
 * what they must never: another environment's vault, another role passed to AWS Backup.
 */
import type { ContractRequest } from '../../core/role-contract';
import { namePrefix } from '../../core/naming';
import { allow, at, type ContractScope, deny, NOWHERE, role, type STEPS } from './common';

export function backupBeforeChangeRequests(
  s: ContractScope,
  opts: {
    readonly env: string;
    readonly region: string;
    readonly step: keyof typeof STEPS;
  },
): { allow: ContractRequest[]; deny: ContractRequest[] } {
  const prefix = namePrefix(s.project, opts.env);
  const other = namePrefix(s.project, s.environments.find((e) => e !== opts.env) ?? NOWHERE);
  const vault = (p: string) => `arn:aws:backup:${opts.region}:${s.accountId}:backup-vault:${p}-backup`;
  const toBackup = { 'iam:PassedToService': 'backup.amazonaws.com' };
  const own = { 'aws:ResourceTag/Environment': opts.env };
  return {
    allow: [
      allow('backup:StartBackupJob', vault(prefix), at(opts.step, 'aws backup start-backup-job'), own),
      allow(
        'iam:PassRole',
        role(s, `${prefix}-backup`),
        at(opts.step, 'aws backup start-backup-job --iam-role-arn (passes the AWS Backup role)'),
        toBackup,
      ),
      allow('backup:DescribeBackupJob', '*', at(opts.step, 'aws backup describe-backup-job (the wait)')),
    ],
    deny: [
      deny('backup:StartBackupJob', vault(other), "another environment's vault", {
        'aws:ResourceTag/Environment': other.slice(s.project.length + 1),
      }),
      deny('iam:PassRole', role(s, `${other}-backup`), "another environment's AWS Backup role", toBackup),
      // The apply role passes its environment's roles to its stack's services (the backup selection's too).
      ...(opts.step === 'backupApply'
        ? []
        : [
            deny(
              'iam:PassRole',
              role(s, `${prefix}-backend-task`),
              'a role that is not the AWS Backup role',
              toBackup,
            ),
          ]),
    ],
  };
}
