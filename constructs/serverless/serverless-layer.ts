import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../environments/schema';
import { Layer } from '../core/addresses';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import { EventProcessor, type StreamSource } from './event-processor';

export interface ServerlessLayerProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly config: EnvironmentConfig;
  readonly logs: LogSettings;
  readonly dataKmsKeyArn: string;
  /** The environment's tables (the data layer's), for a stream source. Default: none. */
  readonly tables?: Readonly<Record<string, { readonly table: StreamSource }>>;
}

/**
 * Lambda functions configured in the `serverless` section (today the event processor of seed 004).
 * The identity trigger is the identity layer's: it belongs to the user pool. Both are built with
 * constructs/core/node-function.ts, so every function shares packaging, tracing, logs and role posture.
 */
export class ServerlessLayer extends Layer {
  readonly eventProcessor?: EventProcessor;

  constructor(scope: Construct, id: string, props: ServerlessLayerProps) {
    super(scope, id);
    const processor = props.config.serverless.eventProcessor;
    if (processor) {
      this.eventProcessor = new EventProcessor(this, 'EventProcessor', {
        naming: props.naming,
        accountId: props.accountId,
        config: processor,
        logs: props.logs,
        dataKmsKeyArn: props.dataKmsKeyArn,
        table: processor.table === undefined ? undefined : props.tables?.[processor.table]?.table,
      });
    }
  }
}
