import { CloudfrontResponseHeadersPolicy } from '@cdktf/provider-aws/lib/cloudfront-response-headers-policy';
import { Construct } from 'constructs';

export interface ResponseHeadersProps {
  readonly name: string;
  readonly contentSecurityPolicy: string;
  /** Default: 'strict-origin-when-cross-origin'. */
  readonly referrerPolicy?: string;
  /** HSTS max-age. Default: two years (what the preload list asks for). */
  readonly hstsMaxAgeSeconds?: number;
}

/**
 * The security headers every response of the site carries, set by CloudFront (overriding the
 * origin's): HSTS with subdomains and preload, nosniff, frame DENY, a referrer policy, the CSP.
 */
export class ResponseHeaders extends Construct {
  readonly policy: CloudfrontResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: ResponseHeadersProps) {
    super(scope, id);
    this.policy = new CloudfrontResponseHeadersPolicy(this, 'Policy', {
      name: props.name,
      comment: `${props.name}: security headers`,
      securityHeadersConfig: {
        strictTransportSecurity: {
          accessControlMaxAgeSec: props.hstsMaxAgeSeconds ?? 63_072_000,
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: 'DENY', override: true },
        referrerPolicy: {
          referrerPolicy: props.referrerPolicy ?? 'strict-origin-when-cross-origin',
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy: props.contentSecurityPolicy, override: true },
      },
    });
  }
}
