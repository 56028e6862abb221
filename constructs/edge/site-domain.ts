import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { CLOUDFRONT_ZONE_ID } from '../core/cloudfront';

export interface SiteDomainProps {
  /** The site's domain, e.g. dev.example.com. The certificate covers it and `*.<domain>`. */
  readonly domainName: string;
  /** An existing public hosted zone for `domainName`. Default: a new zone (its name servers are an output). */
  readonly hostedZoneId?: string;
}

/** Where an alias record points: an ALB (or later a CloudFront distribution). */
export interface AliasTarget {
  readonly dnsName: string;
  readonly zoneId: string;
}

/**
 * The environment's DNS name: the hosted zone (existing or created), an ACM certificate for the
 * domain and its wildcard validated through DNS, and the site's records.
 *
 * The apex and the wildcard share one validation record (ACM derives it from the base name), so one
 * record from the first validation option validates both; no set lookups that depend on apply-time
 * values (validation records from names known at synth time: no lookups, so the offline plan works).
 */
export class SiteDomain extends Construct {
  readonly domainName: string;
  readonly zoneId: string;
  readonly zone?: Route53Zone;
  readonly certificate: AcmCertificate;
  readonly validation: AcmCertificateValidation;
  /** The certificate ARN listeners must use: it resolves only once validation has succeeded. */
  readonly validatedCertificateArn: string;
  /** The DNS validation record (the same for a certificate of these names in any region). */
  readonly validationRecordFqdn: string;

  constructor(scope: Construct, id: string, props: SiteDomainProps) {
    super(scope, id);
    this.domainName = props.domainName;
    if (props.hostedZoneId) {
      this.zoneId = props.hostedZoneId;
    } else {
      this.zone = new Route53Zone(this, 'Zone', {
        name: props.domainName,
        comment: `${props.domainName}: delegate to these name servers`,
      });
      this.zoneId = this.zone.zoneId;
    }

    this.certificate = new AcmCertificate(this, 'Certificate', {
      domainName: props.domainName,
      subjectAlternativeNames: [`*.${props.domainName}`],
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      lifecycle: { createBeforeDestroy: true },
    });
    const option = Fn.element(Fn.tolist(this.certificate.domainValidationOptions), 0);
    const record = new Route53Record(this, 'ValidationRecord', {
      zoneId: this.zoneId,
      name: Fn.lookup(option, 'resource_record_name', ''),
      type: Fn.lookup(option, 'resource_record_type', 'CNAME'),
      records: [Fn.lookup(option, 'resource_record_value', '')],
      ttl: 300,
      allowOverwrite: true,
    });
    this.validation = new AcmCertificateValidation(this, 'Validation', {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: [record.fqdn],
    });
    this.validatedCertificateArn = this.validation.certificateArn;
    this.validationRecordFqdn = record.fqdn;
  }

  /** A (and AAAA for a dualstack target) alias records for the domain, and `www` as a CNAME (seed 001). */
  pointTo(target: AliasTarget, options: { readonly ipv6?: boolean } = {}): Route53Record[] {
    // CloudFront aliases cannot evaluate target health (Route 53 rejects true for them).
    const evaluateTargetHealth = target.zoneId !== CLOUDFRONT_ZONE_ID;
    const alias = { name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth };
    const records = [
      new Route53Record(this, 'A', { zoneId: this.zoneId, name: this.domainName, type: 'A', alias }),
    ];
    if (options.ipv6)
      records.push(
        new Route53Record(this, 'AAAA', { zoneId: this.zoneId, name: this.domainName, type: 'AAAA', alias }),
      );
    records.push(
      new Route53Record(this, 'Www', {
        zoneId: this.zoneId,
        name: `www.${this.domainName}`,
        type: 'CNAME',
        ttl: 300,
        records: [this.domainName],
      }),
    );
    return records;
  }

  /** A/AAAA alias records for `<sub>.<domain>` (the public ALB of a static-frontend environment). */
  pointSubdomainTo(
    sub: string,
    target: AliasTarget,
    options: { readonly ipv6?: boolean } = {},
  ): Route53Record[] {
    const name = `${sub}.${this.domainName}`;
    const alias = { name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: true };
    const id = sub.charAt(0).toUpperCase() + sub.slice(1);
    return [
      new Route53Record(this, `${id}A`, { zoneId: this.zoneId, name, type: 'A', alias }),
      ...(options.ipv6
        ? [new Route53Record(this, `${id}AAAA`, { zoneId: this.zoneId, name, type: 'AAAA', alias })]
        : []),
    ];
  }
}
