/**
 * Policies of the gateway endpoints. An endpoint policy only narrows: a request through the endpoint
 * still needs the caller's own IAM grant; what the policy adds is that traffic from the VPC cannot
 * reach another account's buckets or tables (data exfiltration through the endpoint).
 */
import { policyDocument } from '../core/iam';

/**
 * AWS-owned buckets the workloads in this VPC read through the S3 gateway endpoint (GetObject only):
 * - `prod-<region>-starport-layer-bucket`: ECR image layers (every image pull, GuardDuty's agent);
 * - `amazon-ssm-<region>`, `amazon-ssm-packages-<region>`, `aws-ssm-<region>`,
 *   `aws-ssm-document-attachments-<region>`, `<region>-birdwatcher-prod`,
 *   `patch-baseline-snapshot-<region>`: the SSM agent of the bastion (updates, documents, plugins);
 * - `al2023-repos-<region>-de612dc2`, `amazonlinux-2-repos-<region>`: Amazon Linux package repositories.
 * Fargate itself (the ECS agent, the platform) needs no other bucket.
 */
export function awsOwnedBuckets(region: string): string[] {
  return [
    `prod-${region}-starport-layer-bucket`,
    `amazon-ssm-${region}`,
    `amazon-ssm-packages-${region}`,
    `aws-ssm-${region}`,
    `aws-ssm-document-attachments-${region}`,
    `${region}-birdwatcher-prod`,
    `patch-baseline-snapshot-${region}`,
    `al2023-repos-${region}-de612dc2`,
    `amazonlinux-2-repos-${region}`,
  ];
}

/** S3 gateway endpoint: this account's buckets, and reads from the AWS-owned buckets above. */
export function s3EndpointPolicy(accountId: string, region: string): string {
  return policyDocument([
    {
      Sid: 'ThisAccountsBuckets',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceAccount': accountId } },
    },
    {
      Sid: 'AwsOwnedBucketsRead',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: awsOwnedBuckets(region).map((b) => `arn:aws:s3:::${b}/*`),
    },
  ]);
}

/** DynamoDB gateway endpoint: this account's tables in this region only. */
export function dynamodbEndpointPolicy(accountId: string, region: string): string {
  return policyDocument([
    {
      Sid: 'ThisAccountsTables',
      Effect: 'Allow',
      Principal: '*',
      Action: 'dynamodb:*',
      Resource: `arn:aws:dynamodb:${region}:${accountId}:*`,
    },
  ]);
}
