/** `network.natGateways: 'instance'` (constructs/network/nat-instance.ts), as dev uses it. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NAT_BOOT_SCRIPT, natBootParameters } from '../../constructs/network/nat-instance-boot';
import { estimateStack } from '../../scripts/cost/estimate';
import { expectRejected } from '../support/config-errors';
import { envInput, synthPlatform } from '../support/fixtures';

describe('dev with a NAT instance', () => {
  const out = synthPlatform(envInput('dev'));
  const [eniId, eni] = out.resources('aws_network_interface')[0];
  const ref = (type: string, id: string) => `\${${type}.${id}.id}`;

  it('has no NAT gateway; the private default route goes to the fixed interface, check off', () => {
    expect(out.count('aws_nat_gateway')).toBe(0);
    expect(out.count('aws_network_interface')).toBe(1);
    expect(eni.source_dest_check).toBe(false);
    const defaults = out
      .resources('aws_route')
      .filter(([id, r]) => id.includes('PrivateDefaultRoute') && r.destination_cidr_block === '0.0.0.0/0');
    expect(defaults.length).toBeGreaterThan(0);
    for (const [, r] of defaults) expect(r.network_interface_id).toBe(ref('aws_network_interface', eniId));
    const eip = out.resources('aws_eip').find(([, e]) => e.network_interface);
    expect(eip?.[1].network_interface).toBe(ref('aws_network_interface', eniId));
  });

  it('runs one Graviton instance, IMDSv2 only, AMI by SSM parameter, in the interface subnet', () => {
    const asg = out.only('aws_autoscaling_group');
    expect([asg.min_size, asg.max_size, asg.desired_capacity]).toEqual([1, 1, 1]);
    expect(asg.vpc_zone_identifier).toEqual([eni.subnet_id]);
    const spec = asg.mixed_instances_policy.launch_template.launch_template_specification;
    const templateId = /aws_launch_template\.([^.]+)\./.exec(spec.launch_template_id)![1];
    const template = out.json.resource.aws_launch_template[templateId];
    expect(template.instance_type).toBe('t4g.nano');
    expect(template.image_id).toBe(
      'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
    );
    expect(template.metadata_options.http_tokens).toBe('required');
    // dev's VPC has IPv6: the primary interface reaches the EC2 API without a second public IPv4.
    expect(template.network_interfaces[0].associate_public_ip_address).toBe('false');
    expect(template.network_interfaces[0].ipv6_address_count).toBe(1);
    expect(asg.mixed_instances_policy.instances_distribution.on_demand_percentage_above_base_capacity).toBe(
      0,
    );
  });

  it('admits the private subnets, and only them, to the interface', () => {
    const sg = /aws_security_group\.([^.]+)\./.exec(eni.security_groups[0])![1];
    const ingress = out
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([, r]) => r.security_group_id === `\${aws_security_group.${sg}.id}`)
      .map(([, r]) => r.cidr_ipv4);
    expect(ingress.sort()).toEqual([...envInput('dev').network.subnets.private].sort());
  });

  it("keeps dev's fixed cost within its own budget with the WAF kept, and below NAT gateways'", () => {
    const estimate = estimateStack(out.json);
    expect(estimate.fixed.map((l) => l.item)).toContain('WAF web ACL');
    expect(estimate.fixedMonthly).toBeLessThanOrEqual(envInput('dev').budget.monthlyLimitUsd);
    const withGateway = envInput('dev');
    withGateway.network.natGateways = 'single';
    const gateway = estimateStack(synthPlatform(withGateway).json).fixedMonthly;
    expect(gateway - estimate.fixedMonthly).toBeGreaterThan(25);
  });
});

describe('config', () => {
  it('rejects a NAT instance in production, with the path', () => {
    const prod = envInput('prod');
    prod.network.natGateways = 'instance';
    expectRejected(prod, 'network.natGateways', /'perAz' is required with tier 'production'.*'instance'/);
  });
});

describe('the boot script (stubbed commands; it cannot run here)', () => {
  /** Runs the user data under bash with curl/aws/ip/sysctl/nft replaced by stubs logging their arguments. */
  function boot(options: { attachFailures: number }) {
    const dir = mkdtempSync(join(tmpdir(), 'nat-boot-'));
    const log = join(dir, 'calls.log');
    const stub = (name: string, body: string) => {
      writeFileSync(join(dir, name), `#!/bin/bash\necho "${name} $*" >> "${log}"\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    };
    const imds = 'http://169.254.169.254/latest/meta-data';
    stub(
      'curl',
      [
        'url="${@: -1}"',
        'case "$url" in',
        '  */api/token) echo token ;;',
        `  ${imds}/instance-id) echo i-0new ;;`,
        `  ${imds}/network/interfaces/macs/) printf '0a:00:00:00:00:01/\\n0a:00:00:00:00:02/\\n' ;;`,
        `  ${imds}/network/interfaces/macs/0a:00:00:00:00:01/interface-id) echo eni-primary ;;`,
        `  ${imds}/network/interfaces/macs/0a:00:00:00:00:02/interface-id) echo eni-0fixed ;;`,
        `  */subnet-ipv4-cidr-block) echo 10.0.1.0/24 ;;`,
        'esac',
      ].join('\n'),
    );
    const failures = join(dir, 'failures');
    writeFileSync(failures, String(options.attachFailures));
    stub(
      'aws',
      [
        'if [ "$2" = describe-network-interfaces ]; then echo eni-0fixed; exit 0; fi',
        `n=$(cat "${failures}"); if [ "$n" -gt 0 ]; then echo $((n - 1)) > "${failures}"; exit 255; fi`,
      ].join('\n'),
    );
    stub(
      'ip',
      `if [ "$1" = -o ]; then printf '2: ens5: <UP> link/ether 0a:00:00:00:00:01\\n3: ens6: <UP> link/ether 0a:00:00:00:00:02\\n'; fi`,
    );
    stub('sysctl', '');
    stub('nft', '');
    stub('sleep', '');
    const script = join(dir, 'user-data.sh');
    const params = {
      region: 'us-east-1',
      networkInterfaceName: 'webplat-dev-nat',
      vpcCidr: '10.0.0.0/16',
      dualStackApi: true,
    };
    writeFileSync(script, natBootParameters(params) + NAT_BOOT_SCRIPT);
    const stdout = execFileSync('bash', [script], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
      encoding: 'utf8',
      // stderr stays in the error a failing boot throws, not echoed into the test run's output.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { stdout, calls: readFileSync(log, 'utf8').trim().split('\n') };
  }

  it('attaches the fixed interface (retrying), routes through it and masquerades the VPC', () => {
    const { stdout, calls } = boot({ attachFailures: 2 });
    expect(calls).toContain(
      'aws ec2 describe-network-interfaces --region us-east-1 --endpoint-url https://ec2.us-east-1.api.aws --filters Name=tag:Name,Values=webplat-dev-nat --query NetworkInterfaces[0].NetworkInterfaceId --output text',
    );
    const attach = calls.filter((c) => c.startsWith('aws ec2 attach'));
    expect(attach).toHaveLength(3);
    expect(attach[2]).toBe(
      'aws ec2 attach-network-interface --region us-east-1 --endpoint-url https://ec2.us-east-1.api.aws --network-interface-id eni-0fixed --instance-id i-0new --device-index 1',
    );
    const later = calls.slice(calls.indexOf(attach[2]));
    expect(later).toEqual(
      expect.arrayContaining([
        'ip route replace default via 10.0.1.1 dev ens6 metric 10',
        'sysctl -w net.ipv4.ip_forward=1',
        'nft add rule ip nat postrouting oifname ens6 ip saddr 10.0.0.0/16 masquerade',
      ]),
    );
    expect(later.indexOf('ip route replace default via 10.0.1.1 dev ens6 metric 10')).toBeLessThan(
      later.indexOf('nft add rule ip nat postrouting oifname ens6 ip saddr 10.0.0.0/16 masquerade'),
    );
    expect(stdout).toContain('NAT ready on ens6 for 10.0.0.0/16');
  });

  it('gives up after 30 failed attachments, without setting up NAT', () => {
    expect(() => boot({ attachFailures: 99 })).toThrow(/could not attach eni-0fixed/);
  });
});
