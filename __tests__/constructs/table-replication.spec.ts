/**
 * The copies an RPO below the daily AWS Backup copies buys (issue 28, environments/schema/recovery.ts
 * `recoveryCopies`): a global table replica per table in the recovery region (data/table-replication.ts)
 * and S3 Replication Time Control on the data buckets' replication, each alarmed; the replica key used
 * only through DynamoDB, evaluated as AWS would.
 */
import { parseEnvironmentConfig } from '../../environments/schema';
import { AppTable } from '../../constructs/data/dynamodb-table';
import { bareStack, configOf } from '../support/bare';
import { ADMINS, dataLayer } from '../support/data-layer';
import { envInput, policy, synthPlatform, type Synthesized } from '../support/fixtures';
import { decide } from '../support/iam-eval-workload';

const ACCOUNT = '111111111111';
const RECOVERY = 'us-west-2';
/** prod (recovery.rpoMinutes 60) and prod with the daily copies' RPO. */
const hourly = dataLayer(configOf('prod'));
const daily = dataLayer(configOf('prod', (e) => (e.recovery.rpoMinutes = 1860)));

describe('tables with an RPO below the daily copies', () => {
  const tables = hourly.resources('aws_dynamodb_table');
  const replicas = hourly.resources('aws_dynamodb_table_replica');

  it('become global tables: NEW_AND_OLD_IMAGES streams, their replica attribute left to the replicas', () => {
    expect(tables.length).toBeGreaterThan(0);
    for (const [, t] of tables) {
      expect(t).toMatchObject({ stream_enabled: true, stream_view_type: 'NEW_AND_OLD_IMAGES' });
      expect(t.lifecycle.ignore_changes).toEqual(['replica']);
    }
  });

  it('have one replica each in the recovery region, with point-in-time recovery, deletion protection and its own key there', () => {
    const config = parseEnvironmentConfig(envInput('prod'));
    expect(replicas.map(([, r]) => r.global_table_arn).sort()).toEqual(
      tables.map(([id]) => `\${aws_dynamodb_table.${id}.arn}`).sort(),
    );
    const [keyId, key] = hourly
      .resources('aws_kms_key')
      .find(([id]) => id.startsWith('TableReplication_Key'))!;
    expect(key.provider).toBe('aws.dr');
    expect(hourly.resources('aws_kms_alias').map(([, a]) => a.name)).toContain(
      'alias/webplat-prod-tables-replica',
    );
    for (const [, r] of replicas) {
      const source = tables.find(([id]) => r.global_table_arn === `\${aws_dynamodb_table.${id}.arn}`)![1];
      expect(r).toMatchObject({
        provider: 'aws.dr',
        point_in_time_recovery: true,
        kms_key_arn: `\${aws_kms_key.${keyId}.arn}`,
        deletion_protection_enabled: source.deletion_protection_enabled,
      });
    }
    expect(Object.keys(config.tables)).toHaveLength(replicas.length);
  });

  it('are untouched at the daily copies RPO: no replica, no stream, the replica attribute managed', () => {
    expect(daily.count('aws_dynamodb_table_replica')).toBe(0);
    for (const [, t] of daily.resources('aws_dynamodb_table')) {
      expect(t.stream_enabled).toBeUndefined();
      expect(t.lifecycle?.ignore_changes).toBeUndefined();
    }
  });

  it('refuse another stream type (the construct, beside the schema)', () => {
    const b = bareStack(configOf('prod'));
    const props = { tableName: 't', partitionKey: { name: 'id', type: 'S' as const }, kmsKeyArn: 'k' };
    expect(() => new AppTable(b.stack, 'T', { ...props, stream: 'NEW_IMAGE', globalTable: true })).toThrow(
      /a global table streams NEW_AND_OLD_IMAGES, not NEW_IMAGE/,
    );
  });

  it('keep a configured NEW_AND_OLD_IMAGES stream', () => {
    const out = dataLayer(configOf('prod', (e) => (e.tables.sessions.stream = 'NEW_AND_OLD_IMAGES')));
    expect(out.only('aws_dynamodb_table')).toMatchObject({ stream_view_type: 'NEW_AND_OLD_IMAGES' });
  });
});

describe('the replica key', () => {
  const key = hourly.resources('aws_kms_key').find(([id]) => id.startsWith('TableReplication_Key'))![1];
  const keyPolicy = policy(key.policy);
  const keyArn = `arn:aws:kms:${RECOVERY}:${ACCOUNT}:key/22222222-2222-2222-2222-222222222222`;
  const role = `arn:aws:iam::${ACCOUNT}:role/webplat-prod-backend-task`;
  const asks = (context: Record<string, string>) =>
    decide({
      principal: role,
      action: 'kms:Decrypt',
      resource: keyArn,
      resourceAccount: ACCOUNT,
      identity: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn }],
      resourcePolicy: keyPolicy,
      context,
    });

  it('admits use through DynamoDB in the recovery region to a role IAM allows (the account keeps the key, as every key here)', async () => {
    expect(
      await asks({ 'kms:ViaService': `dynamodb.${RECOVERY}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT }),
    ).toBe('Allowed');
  });

  it.each(['kms:ScheduleKeyDeletion', 'kms:DisableKey'])(
    'denies %s to everyone but the admins, whatever IAM allows',
    async (action) => {
      const ask = (principal: string) =>
        decide({
          principal,
          action,
          resource: keyArn,
          resourceAccount: ACCOUNT,
          identity: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
          resourcePolicy: keyPolicy,
        });
      expect(await ask(`arn:aws:iam::${ACCOUNT}:role/webplat-prod-github-apply`)).toBe('ExplicitlyDenied');
      expect(await ask(ADMINS[0])).toBe('Allowed');
    },
  );
});

describe('data buckets with an RPO below the daily copies', () => {
  const rules = (out: Synthesized) =>
    out.resources('aws_s3_bucket_replication_configuration').map(([, c]) => c.rule[0].destination);

  it('replicate with Replication Time Control (15 minutes) and its missed-threshold metric', () => {
    expect(rules(hourly).length).toBeGreaterThan(0);
    for (const d of rules(hourly)) {
      expect(d.replication_time).toEqual({ status: 'Enabled', time: { minutes: 15 } });
      expect(d.metrics).toEqual({ status: 'Enabled', event_threshold: { minutes: 15 } });
    }
  });

  it('replicate without it at the daily copies RPO', () => {
    for (const d of rules(daily)) {
      expect(d.replication_time).toBeUndefined();
      expect(d.metrics).toEqual({ status: 'Enabled' });
    }
  });
});

/** Replicas and RTC rules without the alarm that watches them: the coverage check. */
function unwatchedCopies(out: Synthesized): string[] {
  const alarms = out.resources('aws_cloudwatch_metric_alarm').map(([, a]) => a);
  // The alarm names its source table by reference.
  const tableNames = new Map(
    out
      .resources('aws_dynamodb_table')
      .map(([id]) => [`\${aws_dynamodb_table.${id}.arn}`, `\${aws_dynamodb_table.${id}.name}`]),
  );
  const replicas = out
    .resources('aws_dynamodb_table_replica')
    .filter(
      ([, r]) =>
        !alarms.some(
          (a) =>
            a.metric_name === 'ReplicationLatency' &&
            a.dimensions.TableName === tableNames.get(r.global_table_arn) &&
            a.dimensions.ReceivingRegion === RECOVERY,
        ),
    )
    .map(([id]) => `aws_dynamodb_table_replica.${id}`);
  const late = out
    .resources('aws_s3_bucket_replication_configuration')
    .filter(([, c]) => c.rule[0].destination.replication_time)
    .filter(
      ([, c]) =>
        !alarms.some(
          (a) =>
            a.metric_name === 'OperationsMissedThreshold' &&
            a.dimensions.DestinationBucket === c.rule[0].destination.bucket.replace(/\.arn\}$/, '.bucket}'),
        ),
    )
    .map(([id]) => `aws_s3_bucket_replication_configuration.${id}`);
  return [...replicas, ...late];
}

describe('alarms on the copies (coverage, the whole platform)', () => {
  const platform = synthPlatform(envInput('prod'));

  it('watch every replica and every RTC rule of prod', () => {
    expect(platform.count('aws_dynamodb_table_replica')).toBeGreaterThan(0);
    expect(unwatchedCopies(platform)).toEqual([]);
  });

  it('fail the check when an alarm is missing (planted)', () => {
    const json = JSON.parse(JSON.stringify(platform.json));
    for (const [id, a] of Object.entries<any>(json.resource.aws_cloudwatch_metric_alarm))
      if (['ReplicationLatency', 'OperationsMissedThreshold'].includes(a.metric_name))
        delete json.resource.aws_cloudwatch_metric_alarm[id];
    const planted = {
      ...platform,
      json,
      resources: (type: string) => Object.entries<any>(json.resource[type] ?? {}),
    };
    expect(unwatchedCopies(planted as Synthesized)).toHaveLength(
      platform.count('aws_dynamodb_table_replica') +
        platform.count('aws_s3_bucket_replication_configuration'),
    );
  });
});
