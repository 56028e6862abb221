/**
 * A whole platform stack in static-frontend mode (prod's input, the frontend service removed): the
 * frontend is CloudFront's, not a service's; the monitoring pass covers the distribution.
 */
import { synthPlatform } from '../support/fixtures';
import { staticFrontendInput } from '../support/variants';

const out = synthPlatform(staticFrontendInput());

describe('a static-frontend platform', () => {
  it('has no frontend service, task or image repository', () => {
    const names = (type: string, field: string) => out.resources(type).map(([, r]) => r[field] as string);
    expect(names('aws_ecs_service', 'name')).toEqual(['webplat-static-backend']);
    expect(names('aws_ecr_repository', 'name')).toEqual(['webplat-static-backend']);
    // prod's backend deploys blue/green: its target group pair.
    const blueGreen = staticFrontendInput().services.backend.deployment?.type === 'blueGreen';
    expect(names('aws_lb_target_group', 'name')).toEqual([
      'webplat-static-backend',
      ...(blueGreen ? ['webplat-static-backend-green'] : []),
    ]);
  });

  it("serves no service as the ALB's default: unmatched paths get a fixed 404", () => {
    const https = out.resources('aws_lb_listener').find(([, l]) => l.port === 443)![1];
    expect(https.default_action).toHaveLength(1);
    expect(https.default_action[0]).toMatchObject({
      type: 'fixed-response',
      fixed_response: { status_code: '404' },
    });
    expect(JSON.stringify(https)).not.toMatch(/aws_lb_target_group/);
  });

  it("tags the distribution with its environment and project (the site deploy role's only scope)", () => {
    expect(out.only('aws_cloudfront_distribution').tags).toMatchObject({
      Environment: 'static',
      Project: 'webplat',
    });
  });

  it('alarms on the distribution 5xx rate (the monitoring pass covers it)', () => {
    const [id] = out.resources('aws_cloudfront_distribution')[0];
    const alarms = out
      .resources('aws_cloudwatch_metric_alarm')
      .filter(([, a]) => JSON.stringify(a).includes(`aws_cloudfront_distribution.${id}.id`))
      .map(([, a]) => a);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      namespace: 'AWS/CloudFront',
      metric_name: '5xxErrorRate',
      dimensions: { Region: 'Global' },
      threshold: 5,
    });
    expect(alarms[0].alarm_description).toMatch(/docs\/runbooks\.md#alarm-cloudfront-5xx-rate$/);
  });

  it('gives the CloudFront web ACL its own blocked-requests alarm too', () => {
    const [acl] = out.resources('aws_wafv2_web_acl').find(([, a]) => a.scope === 'CLOUDFRONT')!;
    const named = out
      .resources('aws_cloudwatch_metric_alarm')
      .filter(([, a]) => JSON.stringify(a).includes(`aws_wafv2_web_acl.${acl}.`));
    expect(named.length).toBeGreaterThan(0);
  });
});
