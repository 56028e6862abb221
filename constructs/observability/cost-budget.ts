import { BudgetsBudget } from '@cdktf/provider-aws/lib/budgets-budget';
import { Construct } from 'constructs';

export interface CostBudgetProps {
  readonly name: string;
  readonly monthlyLimitUsd: number;
  /** Tag that identifies the environment's costs (must be an activated cost-allocation tag). */
  readonly tagKey: string;
  readonly tagValue: string;
  /** Percentages of the limit that notify on actual spend. Default in the schema: `budget.thresholdsPercent`. */
  readonly thresholdsPercent: readonly number[];
  readonly alertEmails: readonly string[];
  /** SNS topics notified with the emails (the environment's warning topic). Default: none. */
  readonly topicArns?: readonly string[];
}

/**
 * A monthly cost budget for one environment (seed 002's cost alerts), filtered by its Environment
 * tag: email (and the warning topic) at each threshold of actual spend, and once when the forecast
 * passes the limit.
 */
export class CostBudget extends Construct {
  readonly budget: BudgetsBudget;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    const emails = [...props.alertEmails];
    const topics =
      props.topicArns && props.topicArns.length > 0 ? { subscriberSnsTopicArns: [...props.topicArns] } : {};
    this.budget = new BudgetsBudget(this, 'Budget', {
      name: props.name,
      budgetType: 'COST',
      limitAmount: props.monthlyLimitUsd.toFixed(2),
      limitUnit: 'USD',
      timeUnit: 'MONTHLY',
      costFilter: [{ name: 'TagKeyValue', values: [`user:${props.tagKey}$${props.tagValue}`] }],
      notification: [
        ...props.thresholdsPercent.map((threshold) => ({
          comparisonOperator: 'GREATER_THAN',
          threshold,
          thresholdType: 'PERCENTAGE',
          notificationType: 'ACTUAL',
          subscriberEmailAddresses: emails,
          ...topics,
        })),
        {
          comparisonOperator: 'GREATER_THAN',
          threshold: 100,
          thresholdType: 'PERCENTAGE',
          notificationType: 'FORECASTED',
          subscriberEmailAddresses: emails,
          ...topics,
        },
      ],
    });
  }
}
