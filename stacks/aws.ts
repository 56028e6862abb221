import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import { tagEverything } from '../constructs/core/tagging';

export interface AwsSetupProps {
  readonly region: string;
  readonly accountId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The stack's AWS provider, pinned to one account (`allowed_account_ids`: applying with credentials
 * of another account fails before any change) and tagging by default_tags and the tagging Aspect.
 */
export function configureAws(stack: Construct, props: AwsSetupProps): AwsProvider {
  const provider = awsProvider(stack, 'aws', props);
  tagEverything(stack, props.tags);
  return provider;
}

/** A further provider for another region (e.g. disaster recovery), under `alias`. */
export function regionalProvider(stack: Construct, alias: string, props: AwsSetupProps): AwsProvider {
  return awsProvider(stack, `aws_${alias}`, props, alias);
}

function awsProvider(stack: Construct, id: string, props: AwsSetupProps, alias?: string): AwsProvider {
  return new AwsProvider(stack, id, {
    alias,
    region: props.region,
    allowedAccountIds: [props.accountId],
    defaultTags: [{ tags: { ...props.tags } }],
  });
}
