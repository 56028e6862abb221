import { dataPorts } from '../../constructs/data/data-layer';
import { NetworkLayer } from '../../constructs/network/network-layer';
import type { EnvironmentConfig } from '../../environments/schema';
import { KEYS, bareStack } from './bare';
import type { Synthesized } from './fixtures';

/** The network layer of `config` alone on a bare stack (literal keys; the data ports its stores use). */
export function networkLayer(config: EnvironmentConfig): Synthesized {
  const b = bareStack(config);
  new NetworkLayer(b.stack, 'Network', {
    naming: b.naming,
    accountId: config.accountId,
    region: config.region,
    network: config.network,
    logsKmsKeyArn: KEYS.logs,
    dataKmsKeyArn: KEYS.data,
    dataPorts: dataPorts(config),
  });
  return b.synth();
}
