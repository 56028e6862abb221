/**
 * The data layer of one config on a bare stack (literal VPC, isolated subnets and keys; a stand-in
 * bastion group as admin client), with what it hands each configured service as stack outputs
 * `bindings_<service>` (see `bindingsOutput`).
 */
import { DataLayer } from '../../constructs/data/data-layer';
import {
  backupCopyRegion,
  CROSS_REGION_RPO_MINUTES,
  type EnvironmentConfig,
} from '../../environments/schema';
import { KEYS, SUBNETS, VPC, bareStack, bindingsOutput } from './bare';
import { auroraServerless, envInput, type Synthesized } from './fixtures';

/** The break-glass admins the data layer protects recovery points for. */
export const ADMINS = ['arn:aws:iam::111111111111:role/platform-admin'];

/** The data layer of `config` on a bare stack, not yet synthesized. */
export function buildDataLayer(config: EnvironmentConfig): {
  b: ReturnType<typeof bareStack>;
  layer: DataLayer;
} {
  const b = bareStack(config);
  const layer = new DataLayer(b.stack, 'Data', {
    naming: b.naming,
    accountId: config.accountId,
    region: config.region,
    config,
    vpcId: VPC,
    subnetIds: [...SUBNETS.isolated],
    appSubnetIds: [...SUBNETS.private],
    keys: { data: KEYS.data, secrets: KEYS.secrets },
    logs: b.logs,
    logArchive: b.logArchive(),
    adminClient: config.network.bastion ? b.group('Bastion', b.naming.name('bastion')) : undefined,
    adminPrincipalArns: ADMINS,
    drProvider: backupCopyRegion(config) ? b.regionalProvider('dr', backupCopyRegion(config)!) : undefined,
  });
  return { b, layer };
}

export function dataLayer(config: EnvironmentConfig): Synthesized {
  const { b, layer } = buildDataLayer(config);
  for (const [name, service] of Object.entries(config.services))
    bindingsOutput(b.stack, `bindings_${name}`, layer.bindingsFor(name, service.uses));
  return b.synth();
}

/** What the data layer hands `service`: environment, secrets, statements, peers. */
export function bindingsOf(out: Synthesized, service: string): any {
  return out.json.output[`bindings_${service}`].value;
}

/** An environment input whose database runs another engine (everything else unchanged). */
export function withEngine(
  engine: 'postgres' | 'mysql' | 'aurora-postgresql' | 'aurora-serverless',
  base: 'dev' | 'prod' = 'dev',
): any {
  const env = envInput(base);
  const keep = {
    backupRetentionDays: env.database.backupRetentionDays,
    deletionProtection: env.database.deletionProtection,
    skipFinalSnapshot: env.database.skipFinalSnapshot,
  };
  if (engine === 'mysql') env.database = { ...env.database, engine: 'mysql', engineVersion: '8.0.39' };
  // An Aurora cluster reaches the recovery region through the daily copies only (recoveryCopies).
  if (engine.startsWith('aurora') && env.recovery.rpoMinutes !== undefined)
    env.recovery.rpoMinutes = Math.max(env.recovery.rpoMinutes, CROSS_REGION_RPO_MINUTES.backupCopy);
  if (engine === 'aurora-postgresql')
    env.database = { engine, engineVersion: '16.4', instanceClass: 'db.r6g.large', instances: 2, ...keep };
  if (engine === 'aurora-serverless') {
    env.database = auroraServerless(keep);
  }
  return env;
}
