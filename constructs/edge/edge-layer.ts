import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../environments/schema';
import { Layer } from '../core/addresses';
import type { LogArchive } from '../core/log-archive';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import type { RoutedTarget } from '../core/routing';
import { WebFirewall } from '../core/web-firewall';
import { PublicLoadBalancer, assignPriorities } from './load-balancer';
import { EndpointHealthCheck } from './endpoint-health-check';
import { SiteDomain } from './site-domain';

export interface EdgeLayerProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly config: Pick<
    EnvironmentConfig,
    'dns' | 'ingress' | 'alb' | 'waf' | 'network' | 'services' | 'frontend' | 'recovery'
  >;
  readonly vpcId: string;
  /** Public subnets, one per AZ. */
  readonly subnetIds: string[];
  /** Private subnets, one per AZ: the ALB's when CloudFront reaches it through a VPC origin. */
  readonly privateSubnetIds: string[];
  readonly logs: LogSettings;
  readonly logArchive: LogArchive;
}

/**
 * The edge layer: the site's DNS zone and certificate, the public ALB with a route per service
 * (the `/*` service is the default action, the others path rules by priority) and its WAF (without
 * IP-keyed rules when only CloudFront's VPC origin reaches the ALB).
 */
export class EdgeLayer extends Layer {
  readonly domain: SiteDomain;
  readonly loadBalancer: PublicLoadBalancer;
  readonly firewall: WebFirewall;
  /** Per service, where its traffic arrives. */
  readonly routes: Record<string, RoutedTarget> = {};
  /** Route 53's probe of the public endpoint, with a recovery strategy (`recovery.healthCheckPath`). */
  readonly healthCheck?: EndpointHealthCheck;

  constructor(scope: Construct, id: string, props: EdgeLayerProps) {
    super(scope, id);
    const { config, naming } = props;
    this.domain = new SiteDomain(this, 'Domain', {
      domainName: config.dns.domainName,
      hostedZoneId: config.dns.hostedZoneId,
    });
    // A static frontend with `apiOrigin`: the ALB is internal and admits only CloudFront's VPC origin,
    // whose network interfaces CloudFront places in the ALB's (private) subnets: requests arrive from
    // their private addresses, not from CloudFront's public origin-facing ranges.
    const { frontend } = config;
    const api = frontend.mode === 'static' && frontend.apiOrigin;
    this.loadBalancer = new PublicLoadBalancer(this, 'LoadBalancer', {
      naming,
      accountId: props.accountId,
      vpcId: props.vpcId,
      subnetIds: api ? props.privateSubnetIds : props.subnetIds,
      certificateArn: this.domain.validatedCertificateArn,
      ipv6: config.network.ipv6,
      ...(api ? { internal: true, allowedCidrs: config.network.subnets.private } : config.ingress),
      deletionProtection: config.alb.deletionProtection,
      idleTimeoutSeconds: config.alb.idleTimeoutSeconds,
      accessLogs: props.logArchive.loadBalancerLogs,
    });
    const albTarget = { dnsName: this.loadBalancer.alb.dnsName, zoneId: this.loadBalancer.alb.zoneId };
    // The site's name is the ALB's with a container frontend; with a static one CloudFront's (the
    // frontend layer), and a public ALB serves the services' paths at api.<domain>.
    if (frontend.mode === 'container') this.domain.pointTo(albTarget, { ipv6: config.network.ipv6 });
    else if (!api) this.domain.pointSubdomainTo('api', albTarget, { ipv6: config.network.ipv6 });
    this.firewall = new WebFirewall(this, 'Firewall', {
      name: naming.name(),
      logGroupName: `aws-waf-logs-${naming.name()}`,
      logs: props.logs,
      rateLimitPerIp: config.waf.rateLimitPerIp,
      // Behind the VPC origin every request comes from CloudFront's interfaces: the rate limit and
      // IP reputation run in the frontend's CLOUDFRONT-scope ACL, which sees the viewers.
      seesViewers: !api,
      scope: 'REGIONAL',
      resourceArn: this.loadBalancer.alb.arn,
    });
    // Only services with pathPatterns take load balancer traffic (the others are workers).
    const services = Object.entries(config.services).flatMap(([name, s]) =>
      s.pathPatterns ? [{ ...s, name, pathPatterns: s.pathPatterns }] : [],
    );
    const priorities = assignPriorities(services);
    for (const svc of services) {
      const { deployment } = svc;
      this.routes[svc.name] = this.loadBalancer.addService({
        ...svc,
        priority: priorities[svc.name],
        blueGreen:
          deployment.type === 'blueGreen'
            ? { testListenerPort: deployment.testListenerPort, testCidrs: [config.network.vpcCidr] }
            : undefined,
      });
    }
    const probe = config.recovery.healthCheckPath;
    if (probe)
      this.healthCheck = new EndpointHealthCheck(this, 'HealthCheck', {
        naming,
        // Where the services' paths are public: the site, or api.<domain> beside a static site.
        fqdn: frontend.mode === 'static' && !api ? `api.${config.dns.domainName}` : config.dns.domainName,
        path: probe,
      });
    new TerraformOutput(this, 'site_url', {
      value: `https://${config.dns.domainName}`,
      description: 'The site',
    });
    new TerraformOutput(this, 'alb_dns_name', {
      value: this.loadBalancer.alb.dnsName,
      description: 'ALB DNS name',
    });
    if (this.domain.zone) {
      new TerraformOutput(this, 'name_servers', {
        value: this.domain.zone.nameServers,
        description: 'Delegate the domain to these name servers',
      });
    }
  }
}
