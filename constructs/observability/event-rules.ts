import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { Construct } from 'constructs';
import type { Naming } from '../core/naming';
import type { Severity } from './alert-topics';

/** What the rules watch, found by the monitoring pass (tokens of the real resources). */
export interface EventSources {
  readonly backupVaultNames: string[];
  readonly clusterArns: string[];
  readonly serviceArns: string[];
  readonly dbInstanceIdentifiers: string[];
  readonly dbClusterIdentifiers: string[];
  /** CodeDeploy applications and deployment groups (blue/green services). */
  readonly deploymentGroups: ReadonlyArray<{ readonly application: string; readonly group: string }>;
}

export interface EventRuleSpec {
  readonly id: string;
  readonly description: string;
  readonly severity: Severity;
  readonly pattern: Record<string, unknown>;
}

/** Backup and copy jobs that page (`state`). */
const FAILED_JOB_STATES = ['FAILED', 'ABORTED', 'EXPIRED'];
/** The recovery region's copy of a vault is named after it (`Backup/DrVault`, data/backup-plan.ts). */
export const RECOVERY_VAULT_SUFFIX = '-dr';
/** A vault's ARN in any region and account of the partition, by name (a wildcard filter). */
const vaultArn = (name: string) => ({ wildcard: `arn:aws:backup:*:*:backup-vault:${name}` });

/**
 * The EventBridge patterns of the environment, each scoped to its own resources (another
 * environment in the account has its own rules): failed backup, copy and restore jobs (critical;
 * restore jobs of the recovery region arrive forwarded to the default bus);
 * failed ECS deployments and tasks stopped with a non-zero exit code; CodeDeploy deployment state
 * changes of blue/green services; RDS failover, failure and low-storage events. A rule whose resources do not exist (no backup plan, no database) is left out.
 */
export function eventRuleSpecs(src: EventSources): EventRuleSpec[] {
  const specs: EventRuleSpec[] = [];
  if (src.backupVaultNames.length > 0) {
    specs.push({
      id: 'backup-failed',
      description: 'AWS Backup backup, copy or restore job failed, aborted or expired',
      severity: 'critical',
      pattern: {
        source: ['aws.backup'],
        'detail-type': ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'],
        detail: {
          $or: [
            // Backup jobs name their vault; a copy job (to the recovery region's vault, issue 28)
            // names its source and destination vaults by ARN only.
            { state: FAILED_JOB_STATES, backupVaultName: src.backupVaultNames },
            {
              state: FAILED_JOB_STATES,
              sourceBackupVaultArn: src.backupVaultNames.map((name) => vaultArn(name)),
            },
            // Restore jobs (restore tests included) report `status`, not `state`, and their vault by
            // ARN only. Those of the recovery region restore from the vault's copy there, named
            // `<vault>-dr` (data/backup-plan.ts), and are forwarded to this region's default bus
            // (data/recovery-restore-testing.ts): EventBridge rules are regional.
            {
              status: ['FAILED', 'ABORTED'],
              backupVaultArn: src.backupVaultNames.flatMap((name) => [
                vaultArn(name),
                vaultArn(`${name}${RECOVERY_VAULT_SUFFIX}`),
              ]),
            },
          ],
        },
      },
    });
  }
  if (src.serviceArns.length > 0) {
    specs.push({
      id: 'ecs-deployment-failed',
      description: 'ECS deployment failed (the circuit breaker rolled it back)',
      severity: 'warning',
      pattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Deployment State Change'],
        resources: src.serviceArns,
        detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
      },
    });
  }
  if (src.clusterArns.length > 0) {
    specs.push({
      id: 'ecs-task-failed',
      description: 'ECS task stopped with a non-zero exit code',
      severity: 'warning',
      pattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: {
          clusterArn: src.clusterArns,
          lastStatus: ['STOPPED'],
          containers: { exitCode: [{ 'anything-but': 0 }] },
        },
      },
    });
  }
  if (src.deploymentGroups.length > 0) {
    specs.push({
      id: 'codedeploy-deployment',
      description: 'Blue/green deployment started, succeeded, failed or stopped (rolled back)',
      severity: 'warning',
      pattern: {
        source: ['aws.codedeploy'],
        'detail-type': ['CodeDeploy Deployment State-change Notification'],
        detail: {
          application: src.deploymentGroups.map((g) => g.application),
          deploymentGroup: src.deploymentGroups.map((g) => g.group),
          state: ['START', 'SUCCESS', 'FAILURE', 'STOP'],
        },
      },
    });
  }
  const dbIds = [...src.dbInstanceIdentifiers, ...src.dbClusterIdentifiers];
  if (dbIds.length > 0) {
    specs.push({
      id: 'rds-events',
      description: 'RDS failover, failure or low storage',
      severity: 'warning',
      pattern: {
        source: ['aws.rds'],
        'detail-type': ['RDS DB Instance Event', 'RDS DB Cluster Event'],
        detail: { EventCategories: ['failover', 'failure', 'low storage'], SourceIdentifier: dbIds },
      },
    });
  }
  return specs;
}

/** One rule per spec, targeting the topic of its severity. */
export function createEventRules(
  scope: Construct,
  naming: Naming,
  specs: readonly EventRuleSpec[],
  topicArns: Readonly<Record<Severity, string>>,
): CloudwatchEventRule[] {
  return specs.map((spec) => {
    const rule = new CloudwatchEventRule(scope, `Event-${spec.id}`, {
      name: naming.name(spec.id),
      description: spec.description,
      eventPattern: JSON.stringify(spec.pattern),
    });
    new CloudwatchEventTarget(scope, `Event-${spec.id}-Target`, {
      rule: rule.name,
      arn: topicArns[spec.severity],
      targetId: 'alerts',
    });
    return rule;
  });
}
