import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Construct } from 'constructs';
import type { SignUpFirewallConfig } from '../../environments/schema';
import { encryptedLogGroup, type LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';

export interface UserPoolFirewallProps {
  readonly naming: Naming;
  readonly logs: LogSettings;
  readonly limits: SignUpFirewallConfig;
  readonly userPoolArn: string;
}

/** The API operations (`X-Amz-Target`) and classic hosted-UI paths a rate rule counts. */
interface Operations {
  readonly targets: readonly string[];
  readonly paths: readonly string[];
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/** The operations that send mail or check a code, grouped as the rate rules count them. */
export const RATE_LIMITED_OPERATIONS = {
  'sign-up': { targets: ['SignUp', 'ResendConfirmationCode'], paths: ['/signup', '/resendcode'] },
  confirm: { targets: ['ConfirmSignUp'], paths: ['/confirmuser'] },
  'forgot-password': {
    targets: ['ForgotPassword', 'ConfirmForgotPassword'],
    paths: ['/forgotpassword', '/confirmforgotpassword'],
  },
} as const satisfies Record<string, Operations>;

function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

/** A byte match in the provider's snake_case (the provider passes `statement` through untyped). */
function matches(field: object, value: string) {
  return {
    byte_match_statement: {
      field_to_match: field,
      positional_constraint: 'EXACTLY',
      search_string: value,
      text_transformation: [{ priority: 0, type: 'LOWERCASE' }],
    },
  };
}

/**
 * A hosted-UI path, however the client writes it: percent-encoded, with doubled or `./` segments,
 * any case, or with a trailing slash or more after it (a prefix: counting a little more is harmless).
 */
function pathStartsWith(path: string) {
  return {
    byte_match_statement: {
      field_to_match: { uri_path: {} },
      positional_constraint: 'STARTS_WITH',
      search_string: path,
      text_transformation: [
        { priority: 0, type: 'URL_DECODE' },
        { priority: 1, type: 'NORMALIZE_PATH' },
        { priority: 2, type: 'LOWERCASE' },
      ],
    },
  };
}

/** Blocks a client IP that calls `ops` more than `limit` times in 5 minutes. */
function operationRateRule(name: string, priority: number, ops: Operations, limit: number): Wafv2WebAclRule {
  const statements = [
    ...ops.targets.map((t) =>
      matches({ single_header: { name: 'x-amz-target' } }, `${TARGET_PREFIX}${t}`.toLowerCase()),
    ),
    ...ops.paths.map((p) => pathStartsWith(p.toLowerCase())),
  ];
  return {
    name,
    priority,
    action: { block: {} },
    statement: {
      rate_based_statement: {
        limit,
        aggregate_key_type: 'IP',
        evaluation_window_sec: 300,
        scope_down_statement: { or_statement: { statement: statements } },
      },
    },
    visibilityConfig: visibility(name),
  };
}

/**
 * The user pool's web ACL (docs/architecture.md, "Identity"): per-IP rate limits on sign-up (and
 * resending its code), confirmation and password recovery — the calls that send Cognito's mail or
 * check its codes, by API (`X-Amz-Target`) and by the classic hosted UI's paths — then AWS's IP
 * reputation list; everything else passes. Its log group is `aws-waf-logs-<prefix>-users` (WAF's
 * required prefix), and the observability pass alarms on its blocked requests like every web ACL.
 * `constructs/core/web-firewall.ts` is the ALB's and CloudFront's (managed rule sets for HTTP
 * applications): Cognito's requests carry no body WAF may read, so those sets add cost, not cover.
 */
export class UserPoolFirewall extends Construct {
  readonly acl: Wafv2WebAcl;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: UserPoolFirewallProps) {
    super(scope, id);
    const { naming, limits } = props;
    const name = naming.name('users');
    const ops = RATE_LIMITED_OPERATIONS;
    this.acl = new Wafv2WebAcl(this, 'Acl', {
      name,
      description: `${name}: per-IP limits on sign-up, confirmation and password recovery`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: [
        operationRateRule('sign-up-per-ip', 1, ops['sign-up'], limits.signUpPerIp),
        operationRateRule('confirm-per-ip', 2, ops.confirm, limits.confirmPerIp),
        operationRateRule('forgot-password-per-ip', 3, ops['forgot-password'], limits.forgotPasswordPerIp),
        {
          name: 'AWSManagedRulesAmazonIpReputationList',
          priority: 10,
          overrideAction: { none: {} },
          statement: {
            managed_rule_group_statement: {
              vendor_name: 'AWS',
              name: 'AWSManagedRulesAmazonIpReputationList',
            },
          },
          visibilityConfig: visibility('AWSManagedRulesAmazonIpReputationList'),
        },
      ],
      visibilityConfig: visibility(name),
    });
    this.logGroup = encryptedLogGroup(this, 'LogGroup', `aws-waf-logs-${name}`, props.logs);
    new Wafv2WebAclLoggingConfiguration(this, 'Logging', {
      resourceArn: this.acl.arn,
      logDestinationConfigs: [this.logGroup.arn],
      redactedFields: [{ singleHeader: { name: 'authorization' } }, { singleHeader: { name: 'cookie' } }],
    });
    new Wafv2WebAclAssociation(this, 'Association', {
      resourceArn: props.userPoolArn,
      webAclArn: this.acl.arn,
    });
  }
}
