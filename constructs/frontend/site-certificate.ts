import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';

export interface SiteCertificateProps {
  /** The site's domain; the certificate covers it and `*.<domain>` (www). */
  readonly domainName: string;
  /** The us-east-1 provider: CloudFront takes certificates only from there. */
  readonly provider: AwsProvider;
  /**
   * The DNS validation record the edge's regional certificate for the same names already wrote.
   * ACM derives the record from the account and the domain, not the region, so one record validates
   * both; a second Route 53 resource for the same record would fight over it.
   */
  readonly validationRecordFqdn: string;
}

/** The distribution's certificate: ACM in us-east-1, DNS-validated in the environment's zone. */
export class SiteCertificate extends Construct {
  readonly certificate: AcmCertificate;
  /** Resolves once ACM has issued the certificate: the distribution must use this one. */
  readonly validatedArn: string;

  constructor(scope: Construct, id: string, props: SiteCertificateProps) {
    super(scope, id);
    this.certificate = new AcmCertificate(this, 'Certificate', {
      provider: props.provider,
      domainName: props.domainName,
      subjectAlternativeNames: [`*.${props.domainName}`],
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      lifecycle: { createBeforeDestroy: true },
    });
    const validation = new AcmCertificateValidation(this, 'Validation', {
      provider: props.provider,
      certificateArn: this.certificate.arn,
      validationRecordFqdns: [props.validationRecordFqdn],
    });
    this.validatedArn = validation.certificateArn;
  }
}
