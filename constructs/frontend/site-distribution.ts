import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import type {
  CloudfrontDistributionOrderedCacheBehavior,
  CloudfrontDistributionOrigin,
} from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontFunction } from '@cdktf/provider-aws/lib/cloudfront-function';
import { CloudfrontOriginAccessControl } from '@cdktf/provider-aws/lib/cloudfront-origin-access-control';
import { CloudfrontVpcOrigin } from '@cdktf/provider-aws/lib/cloudfront-vpc-origin';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { MANAGED_CACHE_POLICY, MANAGED_ORIGIN_REQUEST_POLICY } from './managed-policies';

const SITE_ORIGIN = 'site';
const API_ORIGIN = 'api';
const READ = ['GET', 'HEAD'];
const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/** Viewer request: a path without a file extension is a client-side route, served `/index.html`. */
export const SPA_REWRITE_CODE = [
  'function handler(event) {',
  '  var request = event.request;',
  "  if (!/\\.[A-Za-z0-9]+$/.test(request.uri)) request.uri = '/index.html';",
  '  return request;',
  '}',
].join('\n');

/** SPA routing without an API origin: the bucket's 403 and 404 answer `/index.html` with 200. */
const SPA_ERROR_RESPONSES = [403, 404].map((errorCode) => ({
  errorCode,
  responseCode: 200,
  responsePagePath: '/index.html',
  errorCachingMinTtl: 10,
}));

/** The ALB as a second origin, reached privately through a CloudFront VPC origin. */
export interface ApiOrigin {
  readonly loadBalancerArn: string;
  readonly loadBalancerDnsName: string;
  /** Path patterns routed to it (the services' `pathPatterns`), in order. */
  readonly pathPatterns: readonly string[];
}

export interface SiteDistributionProps {
  readonly name: string;
  /** `us-east-1`: where CloudFront's global resources are managed. */
  readonly provider: AwsProvider;
  /** Viewer hostnames: the site's domain and `www.` (the certificate covers both). */
  readonly aliases: readonly string[];
  readonly certificateArn: string;
  readonly bucketRegionalDomainName: string;
  readonly responseHeadersPolicyId: string;
  /** The CLOUDFRONT-scope web ACL's ARN. */
  readonly webAclArn: string;
  readonly priceClass: string;
  readonly spaRouting: boolean;
  readonly geoRestriction?: { readonly type: 'allow' | 'deny'; readonly countries: readonly string[] };
  readonly api?: ApiOrigin;
  /** Where hashed, immutable build output lives (long edge cache). Default: `/assets/*` (Vite). */
  readonly assetsPathPattern?: string;
}

/**
 * The site's CloudFront distribution: the bucket through Origin Access Control (SigV4, always),
 * HTTPS only (redirect), TLSv1.2_2021 with SNI, HTTP/2 and HTTP/3, IPv6, compression, the security
 * headers on every behaviour, the WAF. Caching by AWS managed policies (managed-policies.ts):
 * hashed assets for as long as their Cache-Control says (a year), `index.html` never cached at the
 * edge, other files by their Cache-Control. SPA routing answers the bucket's 403/404 with
 * `/index.html` and 200. With `api`, the services' paths go to the internal ALB uncached, with every
 * viewer header, through a VPC origin.
 */
export class SiteDistribution extends Construct {
  readonly distribution: CloudfrontDistribution;
  readonly originAccessControl: CloudfrontOriginAccessControl;
  readonly vpcOrigin?: CloudfrontVpcOrigin;
  /** SPA routing with an API origin: the rewrite function (error responses would rewrite API 404s too). */
  readonly spaRewrite?: CloudfrontFunction;

  constructor(scope: Construct, id: string, props: SiteDistributionProps) {
    super(scope, id);
    const { provider } = props;
    this.originAccessControl = new CloudfrontOriginAccessControl(this, 'OriginAccessControl', {
      provider,
      name: props.name,
      description: `${props.name}: CloudFront signs every request to the site bucket`,
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
    const common = {
      viewerProtocolPolicy: 'redirect-to-https',
      compress: true,
      responseHeadersPolicyId: props.responseHeadersPolicyId,
    };
    const site = (cachePolicyId: string) => ({
      targetOriginId: SITE_ORIGIN,
      allowedMethods: READ,
      cachedMethods: READ,
      cachePolicyId,
      ...common,
    });
    const origins: CloudfrontDistributionOrigin[] = [
      {
        originId: SITE_ORIGIN,
        domainName: props.bucketRegionalDomainName,
        originAccessControlId: this.originAccessControl.id,
      },
    ];
    const behaviors: CloudfrontDistributionOrderedCacheBehavior[] = [
      { pathPattern: '/index.html', ...site(MANAGED_CACHE_POLICY.CachingDisabled) },
      { pathPattern: props.assetsPathPattern ?? '/assets/*', ...site(MANAGED_CACHE_POLICY.CachingOptimized) },
    ];
    if (props.api) {
      const api = this.apiOrigin(props, props.api, common);
      this.vpcOrigin = api.vpcOrigin;
      origins.push(api.origin);
      behaviors.unshift(...api.behaviors); // first: API paths win over the site's patterns
    }
    // SPA routing: without an API, the bucket's 403/404 answer /index.html with 200. With one, error
    // responses would turn the API's 404s into 200 HTML too: a function rewrites site routes instead.
    const rewrite = props.spaRouting && props.api !== undefined;
    if (rewrite) {
      this.spaRewrite = new CloudfrontFunction(this, 'SpaRewrite', {
        provider,
        name: `${props.name}-spa`,
        runtime: 'cloudfront-js-2.0',
        comment: 'Client-side routes (no file extension) are served /index.html',
        publish: true,
        code: SPA_REWRITE_CODE,
      });
    }
    const geo = props.geoRestriction;
    this.distribution = new CloudfrontDistribution(this, 'Distribution', {
      provider,
      enabled: true,
      comment: props.name,
      aliases: [...props.aliases],
      defaultRootObject: 'index.html',
      httpVersion: 'http2and3',
      isIpv6Enabled: true,
      priceClass: props.priceClass,
      webAclId: props.webAclArn,
      origin: origins,
      defaultCacheBehavior: {
        ...site(MANAGED_CACHE_POLICY.CachingOptimized),
        functionAssociation: this.spaRewrite
          ? [{ eventType: 'viewer-request', functionArn: this.spaRewrite.arn }]
          : [],
      },
      orderedCacheBehavior: behaviors,
      customErrorResponse: props.spaRouting && !rewrite ? SPA_ERROR_RESPONSES : [],
      restrictions: {
        geoRestriction: geo
          ? {
              restrictionType: geo.type === 'allow' ? 'whitelist' : 'blacklist',
              locations: [...geo.countries],
            }
          : { restrictionType: 'none', locations: [] },
      },
      viewerCertificate: {
        acmCertificateArn: props.certificateArn,
        sslSupportMethod: 'sni-only',
        minimumProtocolVersion: 'TLSv1.2_2021',
      },
    });
  }

  /** The ALB through a VPC origin (HTTPS, TLS 1.2), and one uncached behaviour per service path. */
  private apiOrigin(
    props: SiteDistributionProps,
    api: ApiOrigin,
    common: Pick<CloudfrontDistributionOrderedCacheBehavior, 'viewerProtocolPolicy' | 'compress'>,
  ): {
    vpcOrigin: CloudfrontVpcOrigin;
    origin: CloudfrontDistributionOrigin;
    behaviors: CloudfrontDistributionOrderedCacheBehavior[];
  } {
    const vpcOrigin = new CloudfrontVpcOrigin(this, 'VpcOrigin', {
      provider: props.provider,
      vpcOriginEndpointConfig: [
        {
          name: props.name,
          arn: api.loadBalancerArn,
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: 'https-only',
          originSslProtocols: [{ items: ['TLSv1.2'], quantity: 1 }],
        },
      ],
    });
    return {
      vpcOrigin,
      origin: {
        originId: API_ORIGIN,
        domainName: api.loadBalancerDnsName,
        vpcOriginConfig: { vpcOriginId: vpcOrigin.id },
      },
      behaviors: api.pathPatterns.map((pathPattern) => ({
        pathPattern,
        targetOriginId: API_ORIGIN,
        allowedMethods: ALL_METHODS,
        cachedMethods: READ,
        cachePolicyId: MANAGED_CACHE_POLICY.CachingDisabled,
        // Host included: the ALB's certificate is for the site's names, not its internal DNS name.
        originRequestPolicyId: MANAGED_ORIGIN_REQUEST_POLICY.AllViewer,
        ...common,
      })),
    };
  }
}
