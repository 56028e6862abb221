/**
 * Route 53's probe of the public endpoint (edge/endpoint-health-check.ts), made with a recovery
 * strategy (`recovery.healthCheckPath`) and alarmed: where it points for each frontend mode, and
 * that nothing is made without one.
 */
import { configOf } from '../support/bare';
import { edgeLayer } from '../support/edge-layer';
import { envInput, synthPlatform } from '../support/fixtures';

describe('the endpoint health check', () => {
  it('probes the site over HTTPS at the configured path with a container frontend (prod)', () => {
    const config = configOf('prod');
    expect(edgeLayer(config).only('aws_route53_health_check')).toMatchObject({
      type: 'HTTPS',
      fqdn: config.dns.domainName,
      port: 443,
      resource_path: '/api/v1/health',
      enable_sni: true,
      request_interval: 30,
      failure_threshold: 3,
    });
  });

  it('probes api.<domain> beside a static site whose API is public on its own name', () => {
    const config = configOf('enterprise', (e) => (e.frontend.apiOrigin = false));
    expect(config.frontend).toMatchObject({ mode: 'static', apiOrigin: false });
    expect(edgeLayer(config).only('aws_route53_health_check').fqdn).toBe(`api.${config.dns.domainName}`);
  });

  it('probes the site itself when CloudFront carries the API (apiOrigin: enterprise)', () => {
    const config = configOf('enterprise');
    expect(config.frontend).toMatchObject({ mode: 'static', apiOrigin: true });
    expect(edgeLayer(config).only('aws_route53_health_check').fqdn).toBe(config.dns.domainName);
  });

  it('is not made without a recovery strategy (dev)', () => {
    expect(edgeLayer(configOf('dev')).count('aws_route53_health_check')).toBe(0);
  });

  it('is alarmed: unhealthy, or no data from the checkers, raises endpoint-health', () => {
    const out = synthPlatform(envInput('prod'));
    const [id] = out.resources('aws_route53_health_check')[0];
    const alarm = out
      .resources('aws_cloudwatch_metric_alarm')
      .map(([, a]) => a)
      .find((a) => a.metric_name === 'HealthCheckStatus');
    expect(alarm).toMatchObject({
      namespace: 'AWS/Route53',
      dimensions: { HealthCheckId: `\${aws_route53_health_check.${id}.id}` },
      statistic: 'Minimum',
      comparison_operator: 'LessThanThreshold',
      threshold: 1,
      treat_missing_data: 'breaching',
    });
    expect(alarm.alarm_description).toMatch(/Runbook: docs\/runbooks\.md#alarm-endpoint-health$/);
  });
});
