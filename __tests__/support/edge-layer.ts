import { EdgeLayer } from '../../constructs/edge/edge-layer';
import type { EnvironmentConfig } from '../../environments/schema';
import { SUBNETS, VPC, bareStack } from './bare';
import type { Synthesized } from './fixtures';

/** The edge layer of `config` alone on a bare stack, with its log archive (literal VPC and subnets). */
export function edgeLayer(config: EnvironmentConfig): Synthesized {
  const b = bareStack(config);
  new EdgeLayer(b.stack, 'Edge', {
    naming: b.naming,
    accountId: config.accountId,
    config,
    vpcId: VPC,
    subnetIds: [...SUBNETS.public],
    privateSubnetIds: [...SUBNETS.private],
    logs: b.logs,
    logArchive: b.logArchive(),
  });
  return b.synth();
}
