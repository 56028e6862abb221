import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../environments/schema';
import { Layer } from '../core/addresses';
import type { Naming } from '../core/naming';
import { CostBudget } from './cost-budget';

export interface ObservabilityLayerProps {
  readonly naming: Naming;
  readonly environment: string;
  readonly config: Pick<EnvironmentConfig, 'budget'>;
}

/**
 * The observability layer: today the environment's cost budget. Alarms, dashboards and event
 * routing join it as a pass over what the other layers built (docs/architecture.md, "Layers").
 */
export class ObservabilityLayer extends Layer {
  readonly budget?: CostBudget;

  constructor(scope: Construct, id: string, props: ObservabilityLayerProps) {
    super(scope, id);
    const budget = props.config.budget;
    if (budget) {
      this.budget = new CostBudget(this, 'Budget', {
        ...budget,
        name: props.naming.name('monthly'),
        tagKey: 'Environment',
        tagValue: props.environment,
      });
    }
  }
}
