import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentConfig, StaticFrontendConfig } from '../../environments/schema';
import { Layer } from '../core/addresses';
import { CLOUDFRONT_ZONE_ID } from '../core/cloudfront';
import type { LogArchive } from '../core/log-archive';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import { WebFirewall } from '../core/web-firewall';
import { CdnAccessLogs } from './access-logs';
import { ResponseHeaders } from './response-headers';
import { SiteBucket } from './site-bucket';
import { SiteCertificate } from './site-certificate';
import { SiteDistribution } from './site-distribution';

/**
 * What the frontend takes from the edge layer, which the stack passes (a layer never imports
 * another): the site's DNS name, whose records it points at CloudFront and whose validation record
 * the us-east-1 certificate reuses, and the ALB, `apiOrigin`'s VPC origin.
 */
export interface SiteEdge {
  readonly domain: {
    readonly validationRecordFqdn: string;
    /** The site's A (and AAAA) alias records and `www`, in the edge's zone. */
    pointTo(
      target: { readonly dnsName: string; readonly zoneId: string },
      options: { readonly ipv6?: boolean },
    ): unknown;
  };
  readonly loadBalancer: { readonly alb: { readonly arn: string; readonly dnsName: string } };
}

export interface FrontendLayerProps {
  readonly naming: Naming;
  readonly config: Pick<EnvironmentConfig, 'frontend' | 'dns' | 'waf' | 'services'>;
  readonly logs: LogSettings;
  /** Built with `cloudFrontLogs` in static mode. */
  readonly logArchive: LogArchive;
  /** The site's zone and validation record; the ALB for `apiOrigin`. */
  readonly edge: SiteEdge;
  /**
   * The stack's provider of `CLOUDFRONT_REGION` (constructs/core/cloudfront.ts), where CloudFront's
   * certificate, web ACL, response headers and log delivery live. Required in static mode.
   */
  readonly cloudFrontProvider?: AwsProvider;
}

/** What the static frontend built: the deploy workflow's bucket and distribution. */
export interface StaticSite {
  readonly bucket: SiteBucket;
  readonly distribution: SiteDistribution;
  readonly firewall: WebFirewall;
}

/**
 * The frontend layer (`frontend.mode`): nothing in container mode (the frontend is a service of the
 * compute layer). In static mode the site bucket behind CloudFront, its us-east-1 certificate,
 * security headers, CLOUDFRONT-scope WAF, access logs into the archive, the site's A/AAAA aliases,
 * and with `apiOrigin` the ALB as a VPC origin for the services' paths (docs/architecture.md, "Static frontend").
 */
export class FrontendLayer extends Layer {
  readonly site?: StaticSite;

  constructor(scope: Construct, id: string, props: FrontendLayerProps) {
    super(scope, id);
    const { frontend } = props.config;
    if (frontend.mode === 'static') this.site = this.staticSite(props, frontend);
  }

  private staticSite(props: FrontendLayerProps, frontend: StaticFrontendConfig): StaticSite {
    const { naming, edge, config } = props;
    const name = naming.name('site');
    const domainName = config.dns.domainName;
    const provider = props.cloudFrontProvider;
    if (!provider) throw new Error('FrontendLayer: a static frontend needs cloudFrontProvider (us-east-1)');
    // The bucket policy names the distribution, which needs the bucket first: resolved at synthesis.
    const later: { distribution?: SiteDistribution } = {};
    const bucket = new SiteBucket(this, 'SiteBucket', {
      naming,
      distributionArn: () => later.distribution!.distribution.arn,
    });
    const certificate = new SiteCertificate(this, 'SiteCertificate', {
      domainName,
      provider,
      validationRecordFqdn: edge.domain.validationRecordFqdn,
    });
    const firewall = new WebFirewall(this, 'SiteFirewall', {
      name,
      logGroupName: `aws-waf-logs-${name}`,
      logs: props.logs,
      rateLimitPerIp: config.waf.rateLimitPerIp,
      scope: 'CLOUDFRONT',
      provider,
    });
    const headers = new ResponseHeaders(this, 'SiteHeaders', {
      name,
      contentSecurityPolicy: frontend.contentSecurityPolicy,
    });
    headers.policy.provider = provider;
    const alb = edge.loadBalancer.alb;
    const distribution = (later.distribution = new SiteDistribution(this, 'Site', {
      name,
      provider,
      aliases: [domainName, `www.${domainName}`],
      certificateArn: certificate.validatedArn,
      bucketRegionalDomainName: bucket.regionalDomainName,
      responseHeadersPolicyId: headers.policy.id,
      webAclArn: firewall.acl.arn,
      priceClass: frontend.priceClass,
      spaRouting: frontend.spaRouting,
      geoRestriction: frontend.geoRestriction,
      api: frontend.apiOrigin
        ? {
            loadBalancerArn: alb.arn,
            loadBalancerDnsName: alb.dnsName,
            pathPatterns: Object.values(config.services).flatMap((s) => s.pathPatterns ?? []),
          }
        : undefined,
    }));
    const cdn = distribution.distribution;
    new CdnAccessLogs(this, 'SiteAccessLogs', {
      name,
      provider,
      distributionArn: cdn.arn,
      destination: props.logArchive.cloudFrontLogs,
      bucketArn: props.logArchive.bucket.arn,
    });
    // CloudFront answers on IPv6 too, whatever the VPC does.
    edge.domain.pointTo({ dnsName: cdn.domainName, zoneId: CLOUDFRONT_ZONE_ID }, { ipv6: true });
    new TerraformOutput(this, 'site_bucket', { value: bucket.name, description: 'Static site bucket' });
    new TerraformOutput(this, 'distribution_id', { value: cdn.id, description: 'CloudFront distribution' });
    return { bucket, distribution, firewall };
  }
}
