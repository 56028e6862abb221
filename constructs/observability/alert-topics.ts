import { createHash } from 'node:crypto';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import type { Subscriber } from '../../environments/schema';
import { ALERT_PUBLISHERS } from '../core/alert-publishers';
import { policyDocument } from '../core/iam';
import { alertTopicComponent, type Naming } from '../core/naming';

export const SEVERITIES = ['critical', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertTopicsProps {
  readonly naming: Naming;
  readonly accountId: string;
  /** The key the topics are encrypted with; its policy must admit ALERT_PUBLISHERS (platform-keys.ts). */
  readonly kmsKeyArn: string;
  readonly subscribers: Readonly<Record<Severity, readonly Subscriber[]>>;
}

/**
 * The environment's alert topics, `<project>-<env>-alerts-critical` and `-warning`: KMS-encrypted,
 * published to only by CloudWatch, EventBridge and Budgets of this account, with the subscribers
 * config names (email or HTTPS endpoint).
 */
export class AlertTopics extends Construct {
  readonly topics: Record<Severity, SnsTopic>;

  constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id);
    const make = (severity: Severity): SnsTopic => {
      const topic = new SnsTopic(this, `Topic-${severity}`, {
        name: props.naming.name(alertTopicComponent(severity)),
        kmsMasterKeyId: props.kmsKeyArn,
      });
      new SnsTopicPolicy(this, `Policy-${severity}`, {
        arn: topic.arn,
        policy: policyDocument([
          {
            Sid: 'AlertPublishers',
            Effect: 'Allow',
            Principal: { Service: [...ALERT_PUBLISHERS] },
            Action: 'sns:Publish',
            Resource: topic.arn,
            Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
          },
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Resource: topic.arn,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ]),
      });
      for (const s of props.subscribers[severity]) {
        // Keyed by endpoint: removing one subscriber leaves the others' addresses alone.
        const endpoint = 'email' in s ? s.email : s.https;
        const key = createHash('sha256').update(endpoint).digest('hex').slice(0, 8);
        new SnsTopicSubscription(this, `Subscription-${severity}-${key}`, {
          topicArn: topic.arn,
          ...('email' in s
            ? { protocol: 'email', endpoint: s.email }
            : { protocol: 'https', endpoint: s.https }),
        });
      }
      return topic;
    };
    this.topics = { critical: make('critical'), warning: make('warning') };
  }
}
