import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Construct } from 'constructs';
import { policyDocument } from './iam';
import type { Naming } from './naming';

export interface EncryptedQueueProps {
  readonly naming: Naming;
  /** `<project>-<env>-<name>`. */
  readonly name: string;
  /** The data key: messages hold user identifiers. */
  readonly kmsKeyArn: string;
  /** Default: 14 days (SQS's maximum: time to fix the cause and redrive). */
  readonly retentionSeconds?: number;
  /** Default: 30 s. */
  readonly visibilityTimeoutSeconds?: number;
  /** Messages received this often move to `deadLetter`. Default: no redrive. */
  readonly redrive?: { readonly deadLetter: SqsQueue; readonly maxReceiveCount: number };
}

/**
 * An SQS queue encrypted with the platform's data key (not SQS-managed SSE: the key policy and its
 * audit trail are ours), refusing requests without TLS.
 */
export class EncryptedQueue extends Construct {
  readonly queue: SqsQueue;

  constructor(scope: Construct, id: string, props: EncryptedQueueProps) {
    super(scope, id);
    this.queue = new SqsQueue(this, 'Queue', {
      name: props.naming.short(props.name, 80),
      kmsMasterKeyId: props.kmsKeyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: props.retentionSeconds ?? 14 * 24 * 3600,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds ?? 30,
      redrivePolicy: props.redrive
        ? JSON.stringify({
            deadLetterTargetArn: props.redrive.deadLetter.arn,
            maxReceiveCount: props.redrive.maxReceiveCount,
          })
        : undefined,
    });
    new SqsQueuePolicy(this, 'Policy', {
      queueUrl: this.queue.url,
      policy: policyDocument([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:*',
          Resource: this.queue.arn,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
    });
  }
}
