import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { DatabaseEngine } from '../../environments/rules';
import type { RelationalDatabaseProps } from './relational-database';

// What the RDS-instance and Aurora builders of a RelationalDatabase share.

export const LOG_EXPORTS: Record<DatabaseEngine, string[]> = {
  postgres: ['postgresql', 'upgrade'],
  mysql: ['audit', 'error', 'general', 'slowquery'],
  'aurora-postgresql': ['postgresql'],
};

/** The current RDS certificate authority (RSA 2048, valid to 2061). */
export const RDS_CA = 'rds-ca-rsa2048-g1';

/** Settled by the RelationalDatabase before it builds the instance or the cluster. */
export interface DatabaseContext {
  readonly props: RelationalDatabaseProps;
  readonly identifier: string;
  readonly family: string;
  readonly port: number;
  readonly databaseName: string;
  readonly securityGroupId: string;
  readonly subnetGroupName: string;
  readonly monitoringRoleArn: string;
  readonly performanceInsights: boolean;
  /** Log groups the database exports to: created before it, so RDS does not create them. */
  readonly logGroups: CloudwatchLogGroup[];
  /** The master password (write-only, master-credential.ts) and the version that applies it. */
  readonly masterPassword: { readonly value: string; readonly version: number };
}
