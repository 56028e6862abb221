import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup, type LbTargetGroupConfig } from '@cdktf/provider-aws/lib/lb-target-group';
import { Construct } from 'constructs';
import type { LogDestination } from '../core/log-archive';
import { addBlueGreenRoute } from './blue-green-route';
import { isDefaultRoute, type RoutedTarget } from '../core/routing';
import type { Naming } from '../core/naming';
import { OwnedSecurityGroup } from '../core/security-group';

export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface PublicLoadBalancerProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly vpcId: string;
  readonly subnetIds: string[];
  /** The validated certificate (AcmCertificateValidation.certificateArn). */
  readonly certificateArn: string;
  /** Dualstack (IPv4 + IPv6). Default in the schema: `network.ipv6`. */
  readonly ipv6: boolean;
  /** IPv4 CIDRs admitted on 80/443. Default: 0.0.0.0/0 unless prefix lists are given. */
  readonly allowedCidrs?: readonly string[];
  /** IPv6 CIDRs admitted (dualstack only). Default: ::/0 unless CIDRs or prefix lists are given. */
  readonly allowedIpv6Cidrs?: readonly string[];
  /** Managed prefix lists admitted on 80/443 (e.g. a CDN's origin-facing ranges). */
  readonly prefixListIds?: readonly string[];
  readonly deletionProtection: boolean;
  readonly idleTimeoutSeconds: number;
  /** Where access logs go (the environment's log archive). */
  readonly accessLogs: LogDestination;
  /**
   * Internal (private subnets), reached only through a CloudFront VPC origin, which speaks HTTPS:
   * only 443 opens. Default: false.
   */
  readonly internal?: boolean;
}

export interface ServiceRoute {
  /** Service name, used in the target group's name. */
  readonly name: string;
  readonly port: number;
  readonly healthCheckPath: string;
  /** `['/*']` makes this the listener's default action. */
  readonly pathPatterns: readonly string[];
  /** Listener rule priority; required for every non-default route. */
  readonly priority?: number;
  readonly deregistrationDelaySeconds: number;
  /** Blue/green (CodeDeploy): a second target group and a test listener. Default: none (rolling). */
  readonly blueGreen?: { readonly testListenerPort: number; readonly testCidrs: readonly string[] };
}

/**
 * The internet-facing ALB (seeds 000/001): in the public subnets, its own security group admitting
 * 80/443 from the configured sources, HTTP/2, invalid header fields dropped, defensive desync
 * mitigation, access logs to the log archive. Port 80 redirects to HTTPS (301); 443 uses the
 * TLS 1.3 policy and the validated certificate. Services join with `addService`: the default one
 * becomes the listener's default action, the others path-pattern rules.
 */
export class PublicLoadBalancer extends Construct {
  readonly securityGroup: OwnedSecurityGroup;
  readonly alb: Lb;
  readonly httpsListener: LbListener;
  readonly httpListener: LbListener;
  readonly targetGroups: Record<string, LbTargetGroup> = {};
  readonly listenerRules: Record<string, LbListenerRule> = {};
  private readonly props: PublicLoadBalancerProps;
  private defaultTargetGroupArn?: string;

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id);
    this.props = props;
    const { naming } = props;

    this.securityGroup = new OwnedSecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      name: naming.name('alb'),
      description: 'Public ALB: HTTP/HTTPS from the allowed sources; out only to its targets',
    });
    const restricted = (props.allowedCidrs?.length ?? 0) > 0 || (props.prefixListIds?.length ?? 0) > 0;
    const v4 = props.allowedCidrs?.length ? props.allowedCidrs : restricted ? [] : ['0.0.0.0/0'];
    const v6 = props.ipv6
      ? props.allowedIpv6Cidrs?.length
        ? props.allowedIpv6Cidrs
        : restricted
          ? []
          : ['::/0']
      : [];
    for (const port of props.internal ? [443] : [80, 443]) {
      const what = port === 80 ? 'HTTP (redirected to HTTPS)' : 'HTTPS';
      this.securityGroup.allowFromCidrs([...v4, ...v6], port, `${what} from allowed clients`);
      this.securityGroup.allowFromPrefixLists(
        props.prefixListIds ?? [],
        port,
        `${what} from allowed prefix list`,
      );
    }

    this.alb = new Lb(this, 'Alb', {
      name: naming.short('alb', 32),
      loadBalancerType: 'application',
      internal: props.internal ?? false,
      subnets: props.subnetIds,
      securityGroups: [this.securityGroup.id],
      ipAddressType: props.ipv6 ? 'dualstack' : 'ipv4',
      enableHttp2: true,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: 'defensive',
      enableDeletionProtection: props.deletionProtection,
      idleTimeout: props.idleTimeoutSeconds,
      accessLogs: { bucket: props.accessLogs.bucketName, prefix: props.accessLogs.prefix, enabled: true },
      dependsOn: props.accessLogs.dependsOn,
    });

    this.httpListener = new LbListener(this, 'HttpListener', {
      loadBalancerArn: this.alb.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [
        { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
      ],
    });
    this.httpsListener = new LbListener(this, 'HttpsListener', {
      loadBalancerArn: this.alb.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: TLS_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: [
        {
          type: 'fixed-response',
          fixedResponse: { contentType: 'text/plain', statusCode: '404', messageBody: 'Not found' },
        },
      ],
    });
  }

  /**
   * A target group for the service and its route: the listener default for `['/*']`, else a rule.
   * The caller connects the ALB's group to the service's (`connect(alb, service, port, ..., { clientEgress: true })`).
   */
  addService(route: ServiceRoute): RoutedTarget {
    const { naming } = this.props;
    const tgConfig: LbTargetGroupConfig = {
      name: naming.short(`${route.name}`, 32),
      port: route.port,
      protocol: 'HTTP',
      protocolVersion: 'HTTP1',
      targetType: 'ip',
      vpcId: this.props.vpcId,
      deregistrationDelay: String(route.deregistrationDelaySeconds),
      healthCheck: {
        enabled: true,
        path: route.healthCheckPath,
        protocol: 'HTTP',
        port: 'traffic-port',
        matcher: '200-399',
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
    };
    const tg = new LbTargetGroup(this, `TargetGroup-${route.name}`, tgConfig);
    this.targetGroups[route.name] = tg;
    // CodeDeploy rewrites the production forward action on every blue/green deployment.
    const codeDeployed = route.blueGreen ? { lifecycle: { ignoreChanges: ['action'] } } : {};

    if (isDefaultRoute(route.pathPatterns)) {
      if (this.defaultTargetGroupArn)
        throw new Error(`PublicLoadBalancer: a second default service (${route.name})`);
      this.defaultTargetGroupArn = tg.arn;
      this.httpsListener.putDefaultAction([{ type: 'forward', targetGroupArn: tg.arn }]);
      if (route.blueGreen) this.httpsListener.lifecycle = { ignoreChanges: ['default_action'] };
    } else {
      if (route.priority === undefined)
        throw new Error(`PublicLoadBalancer: ${route.name} needs a rule priority`);
      this.listenerRules[route.name] = new LbListenerRule(this, `Rule-${route.name}`, {
        listenerArn: this.httpsListener.arn,
        priority: route.priority,
        action: [{ type: 'forward', targetGroupArn: tg.arn }],
        condition: [{ pathPattern: { values: [...route.pathPatterns] } }],
        ...codeDeployed,
      });
    }
    const rule = this.listenerRules[route.name];
    const blueGreen = route.blueGreen
      ? addBlueGreenRoute(this, {
          naming,
          service: route.name,
          blue: tg,
          blueConfig: tgConfig,
          productionListener: this.httpsListener,
          productionRule: rule,
          albArn: this.alb.arn,
          albArnSuffix: this.alb.arnSuffix,
          albSecurityGroup: this.securityGroup,
          certificateArn: this.props.certificateArn,
          tlsPolicy: TLS_POLICY,
          ...route.blueGreen,
        })
      : undefined;
    return {
      targetGroupArn: tg.arn,
      requestCountLabel: `${this.alb.arnSuffix}/${tg.arnSuffix}`,
      dependsOn: [this.httpsListener, ...(rule ? [rule] : []), ...(blueGreen?.dependsOn ?? [])],
      ...(blueGreen ? { blueGreen } : {}),
    };
  }
}

/**
 * Listener rule priorities: explicit ones as given, the rest by declaration order in steps of 10,
 * skipping any taken.
 */
export function assignPriorities(
  routes: ReadonlyArray<{ name: string; pathPatterns: readonly string[]; priority?: number }>,
): Record<string, number> {
  const taken = new Set(routes.flatMap((r) => (r.priority !== undefined ? [r.priority] : [])));
  const result: Record<string, number> = {};
  let next = 10;
  for (const r of routes) {
    if (isDefaultRoute(r.pathPatterns)) continue;
    if (r.priority !== undefined) {
      result[r.name] = r.priority;
      continue;
    }
    while (taken.has(next)) next += 10;
    result[r.name] = next;
    taken.add(next);
    next += 10;
  }
  return result;
}
