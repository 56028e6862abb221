import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Construct } from 'constructs';
import type { IdentityConfig } from '../../environments/schema';
import { environmentTag, otherEnvironment } from '../core/contract-requests';
import { EncryptedQueue } from '../core/encrypted-queue';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import { NodeFunction } from '../core/node-function';
import type { ContractRequest } from '../core/role-contract';

export interface EmailValidationProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly identity: IdentityConfig;
  readonly logs: LogSettings;
  /** The data key: the dead-letter queue holds user identifiers. */
  readonly dataKmsKeyArn: string;
  /** With the SES sender: its identity's ARN (a literal: the one the pool sends through). */
  readonly sesIdentityArn?: string;
}

/**
 * Seed 000's e-mail validation service: the post-confirmation Lambda (serverless/email-validation)
 * and the encrypted dead-letter queue its failed deliveries go to. Its role may send to that queue
 * (with the data key) and, with the SES provider, send mail from the pool's verified identity only.
 * `allowInvokeFrom` grants Cognito the invoke, scoped to the one user pool by `source_arn`.
 */
export class EmailValidation extends Construct {
  readonly fn: NodeFunction;
  readonly deadLetterQueue: EncryptedQueue;

  constructor(scope: Construct, id: string, props: EmailValidationProps) {
    super(scope, id);
    const { naming, identity } = props;
    const settings = identity.emailValidation;
    this.deadLetterQueue = new EncryptedQueue(this, 'DeadLetters', {
      naming,
      name: 'email-validation-dlq',
      kmsKeyArn: props.dataKmsKeyArn,
    });
    const ses =
      identity.email.sender === 'ses' && props.sesIdentityArn
        ? { from: identity.email.from, replyTo: identity.email.replyTo, sourceArn: props.sesIdentityArn }
        : undefined;
    const sendsMail = settings.provider === 'ses' && ses !== undefined;
    const queue = this.deadLetterQueue.queue;
    this.fn = new NodeFunction(this, 'Function', {
      naming,
      accountId: props.accountId,
      name: 'email-validation',
      handler: 'email-validation',
      description: 'Cognito post-confirmation: validates the address, sends the welcome mail',
      logs: props.logs,
      reservedConcurrency: settings.reservedConcurrency,
      environment: {
        EMAIL_PROVIDER: settings.provider,
        DEAD_LETTER_QUEUE_URL: queue.url,
        BLOCKED_DOMAINS: settings.blockedDomains.join(','),
        ...(sendsMail
          ? { EMAIL_FROM: ses.from, ...(ses.replyTo ? { EMAIL_REPLY_TO: ses.replyTo } : {}) }
          : {}),
      },
      statements: [
        { Sid: 'DeadLetters', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queue.arn },
        {
          Sid: 'DeadLettersKey',
          Effect: 'Allow',
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: props.dataKmsKeyArn,
          Condition: { StringEquals: { 'kms:ViaService': `sqs.${naming.props.region}.amazonaws.com` } },
        },
        ...(sendsMail
          ? [
              {
                Sid: 'WelcomeMail',
                Effect: 'Allow' as const,
                Action: 'ses:SendEmail',
                Resource: ses.sourceArn,
                Condition: { StringEquals: { 'ses:FromAddress': ses.from } },
              },
            ]
          : []),
      ],
      contract: {
        purpose: 'Cognito post-confirmation trigger: validates the address, sends the welcome mail',
        allow: this.handlerRequests(props, sendsMail ? ses : undefined),
        deny: this.denials(props, sendsMail ? ses : undefined),
      },
    });
  }

  /** The SDK calls of serverless/email-validation (its dead letters; the SES provider's mail). */
  private handlerRequests(
    props: EmailValidationProps,
    ses?: { from: string; sourceArn: string },
  ): ContractRequest[] {
    const queue = this.deadLetterQueue.queue.arn;
    const send = 'serverless/common/aws-sdk.ts: SendMessageCommand';
    const viaSqs = { 'kms:ViaService': `sqs.${props.naming.props.region}.amazonaws.com` };
    return [
      { action: 'sqs:SendMessage', resource: queue, because: send },
      ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
        action,
        resource: props.dataKmsKeyArn,
        context: viaSqs,
        because: `${send} (SSE-KMS queue: SQS asks KMS for the data key with the caller rights)`,
      })),
      ...(ses
        ? [
            {
              action: 'ses:SendEmail',
              resource: ses.sourceArn,
              context: { 'ses:FromAddress': ses.from },
              because: 'serverless/common/aws-sdk.ts: SendEmailCommand',
            },
          ]
        : []),
    ];
  }

  private denials(props: EmailValidationProps, ses?: { from: string; sourceArn: string }): ContractRequest[] {
    const { naming, accountId } = props;
    const region = naming.props.region;
    const other = otherEnvironment(naming);
    return [
      {
        action: 'sqs:ReceiveMessage',
        resource: this.deadLetterQueue.queue.arn,
        because: 'the dead letters are for operators to inspect and retry',
      },
      ses
        ? {
            action: 'ses:SendEmail',
            resource: ses.sourceArn,
            context: { 'ses:FromAddress': 'ceo@example.com' },
            because: "mail only from the pool's sender address",
          }
        : {
            action: 'ses:SendEmail',
            resource: `arn:aws:ses:${region}:${accountId}:identity/example.com`,
            because: 'the log provider sends no mail',
          },
      {
        action: 'sqs:SendMessage',
        resource: `arn:aws:sqs:${region}:${accountId}:${other.name('email-validation-dlq')}`,
        context: environmentTag(other),
        because: "another environment's dead-letter queue",
      },
    ];
  }

  /** Cognito may invoke the function for this user pool only. */
  allowInvokeFrom(userPoolArn: string): LambdaPermission {
    return new LambdaPermission(this, 'CognitoInvoke', {
      statementId: 'CognitoPostConfirmation',
      action: 'lambda:InvokeFunction',
      functionName: this.fn.function.functionName,
      principal: 'cognito-idp.amazonaws.com',
      sourceArn: userPoolArn,
    });
  }
}
