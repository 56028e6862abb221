import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Construct } from 'constructs';
import { encryptedLogGroup, type LogSettings } from './log-group';

/** AWS managed rule groups the platform uses (seed 000: "WAF with AWS managed rule sets"). */
export type AwsManagedRuleGroup =
  | 'AWSManagedRulesCommonRuleSet'
  | 'AWSManagedRulesKnownBadInputsRuleSet'
  | 'AWSManagedRulesAmazonIpReputationList'
  | 'AWSManagedRulesSQLiRuleSet'
  | 'AWSManagedRulesLinuxRuleSet'
  | 'AWSManagedRulesAnonymousIpList';

function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

/**
 * A rule that runs an AWS managed rule group with its own actions. The provider types `statement`
 * as `any` and passes it through: these helpers write it in the provider's snake_case.
 */
export function managedRuleGroup(
  name: AwsManagedRuleGroup,
  priority: number,
  options: { readonly countOnly?: readonly string[] } = {},
): Wafv2WebAclRule {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managed_rule_group_statement: {
        vendor_name: 'AWS',
        name,
        ...(options.countOnly?.length
          ? {
              rule_action_override: options.countOnly.map((rule) => ({
                name: rule,
                action_to_use: { count: {} },
              })),
            }
          : {}),
      },
    },
    visibilityConfig: visibility(name),
  };
}

/** Blocks a client IP that sends more than `limit` requests in 5 minutes. */
export function rateLimitRule(name: string, priority: number, limit: number): Wafv2WebAclRule {
  return {
    name,
    priority,
    action: { block: {} },
    statement: { rate_based_statement: { limit, aggregate_key_type: 'IP', evaluation_window_sec: 300 } },
    visibilityConfig: visibility(name),
  };
}

export interface WebFirewallProps {
  /** Web ACL name, e.g. `<project>-<env>`. */
  readonly name: string;
  /** Log group name; AWS requires the `aws-waf-logs-` prefix. */
  readonly logGroupName: string;
  readonly logs: LogSettings;
  /** Requests per IP per 5 minutes (where the ACL sees viewers: `seesViewers`). */
  readonly rateLimitPerIp: number;
  /**
   * Whether requests reach what the ACL protects from the viewers' own addresses. False for an ALB
   * that only a CloudFront VPC origin reaches: its source addresses are CloudFront's interfaces, so
   * the ACL gets no IP-keyed rule (rate limit, IP reputation), which would see every viewer as one;
   * those run in the CLOUDFRONT-scope ACL (docs/architecture.md, "Static frontend"). Default: true.
   */
  readonly seesViewers?: boolean;
  /**
   * REGIONAL protects regional resources (an ALB) through an association; CLOUDFRONT ACLs must be
   * created in us-east-1 (pass that provider) and are named by the distribution's `web_acl_id`.
   */
  readonly scope: 'REGIONAL' | 'CLOUDFRONT';
  /** What a REGIONAL ACL protects (an ALB ARN); not used with CLOUDFRONT. */
  readonly resourceArn?: string;
  /** The provider of the ACL and its logs: us-east-1's for CLOUDFRONT. Default: the stack's. */
  readonly provider?: AwsProvider;
}

/**
 * A WAFv2 web ACL (on the ALB, or a CloudFront distribution): a per-IP rate limit first, then AWS managed Common,
 * KnownBadInputs, AmazonIpReputation and SQLi rule groups; metrics on; logs to CloudWatch. Without
 * `seesViewers` the IP-keyed rules (the rate limit, AmazonIpReputation) are left out; the others judge
 * the request itself, not its source address.
 */
export class WebFirewall extends Construct {
  readonly acl: Wafv2WebAcl;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    if (!props.logGroupName.startsWith('aws-waf-logs-'))
      throw new Error('WebFirewall: log group names must start with aws-waf-logs-');
    if ((props.scope === 'REGIONAL') !== (props.resourceArn !== undefined))
      throw new Error('WebFirewall: a REGIONAL ACL needs resourceArn; a CLOUDFRONT one takes none');
    const seesViewers = props.seesViewers ?? true;
    if (props.scope === 'CLOUDFRONT' && !seesViewers)
      throw new Error('WebFirewall: a CLOUDFRONT ACL always sees the viewers (seesViewers)');
    const { provider } = props;
    // Keyed on the source address: only where that address is the viewer's.
    const ipKeyed = seesViewers
      ? [
          rateLimitRule('rate-limit-per-ip', 1, props.rateLimitPerIp),
          managedRuleGroup('AWSManagedRulesAmazonIpReputationList', 10),
        ]
      : [];
    this.acl = new Wafv2WebAcl(this, 'Acl', {
      provider,
      name: props.name,
      description: seesViewers
        ? `${props.name}: rate limit and AWS managed rules`
        : `${props.name}: AWS managed rules (rate limit and IP reputation in the CloudFront web ACL)`,
      scope: props.scope,
      defaultAction: { allow: {} },
      rule: [
        ...ipKeyed,
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 20, { countOnly: ['SizeRestrictions_BODY'] }),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 30),
        managedRuleGroup('AWSManagedRulesSQLiRuleSet', 40),
      ],
      visibilityConfig: visibility(props.name),
    });
    this.logGroup = encryptedLogGroup(this, 'LogGroup', props.logGroupName, props.logs);
    if (provider) this.logGroup.provider = provider;
    new Wafv2WebAclLoggingConfiguration(this, 'Logging', {
      provider,
      resourceArn: this.acl.arn,
      logDestinationConfigs: [this.logGroup.arn],
      redactedFields: [{ singleHeader: { name: 'authorization' } }, { singleHeader: { name: 'cookie' } }],
    });
    if (props.resourceArn) {
      new Wafv2WebAclAssociation(this, 'Association', {
        resourceArn: props.resourceArn,
        webAclArn: this.acl.arn,
      });
    }
  }
}
