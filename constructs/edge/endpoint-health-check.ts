import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { Construct } from 'constructs';
import type { Naming } from '../core/naming';

export interface EndpointHealthCheckProps {
  readonly naming: Naming;
  /** The public name the probe resolves: the site (the ALB's, or CloudFront's with the API behind it) or `api.<domain>`. */
  readonly fqdn: string;
  /** What it requests over HTTPS (`recovery.healthCheckPath`): a path a load-balanced service answers. */
  readonly path: string;
}

/**
 * Route 53's probe of the environment's public endpoint (issue 29's "health checks on the primary"):
 * HTTPS from Route 53's checkers in several regions, every 30 seconds, unhealthy after 3 failures
 * (about 90 s), with SNI. It works from outside the region, so it sees the region as users do; the
 * standby strategies' failover records will use it. Its status metric is published in us-east-1
 * only: the alarm (observability, `endpoint-health`) is made there, which is this platform's home
 * region — when us-east-1 itself is down, the alarm cannot fire, and declaring a disaster rests on
 * the on-call's own view (docs/runbooks.md, "alarm-endpoint-health").
 */
export class EndpointHealthCheck extends Construct {
  readonly check: Route53HealthCheck;

  constructor(scope: Construct, id: string, props: EndpointHealthCheckProps) {
    super(scope, id);
    this.check = new Route53HealthCheck(this, 'Check', {
      type: 'HTTPS',
      fqdn: props.fqdn,
      port: 443,
      resourcePath: props.path,
      enableSni: true,
      requestInterval: 30,
      failureThreshold: 3,
      tags: { Name: props.naming.name('endpoint') },
    });
  }
}
