import { environments } from '../../environments';
import { KEYS, configOf } from '../support/bare';
import { envInput, synthPlatform, type Synthesized } from '../support/fixtures';
import { networkLayer as network } from '../support/network-layer';

const dev = network(configOf('dev'));

const ref = (type: string, id: string, attr = 'id') => `\${${type}.${id}.${attr}}`;

/** Route table logical id -> the routes in it (destination and target kind). */
function routesByTable(out: Synthesized): Record<string, Array<{ dest: string; target: string }>> {
  const tables: Record<string, Array<{ dest: string; target: string }>> = {};
  for (const [id] of out.resources('aws_route_table')) tables[id] = [];
  for (const [, r] of out.resources('aws_route')) {
    const table = /aws_route_table\.([^.]+)\.id/.exec(r.route_table_id)![1];
    const target = r.gateway_id
      ? r.gateway_id.includes('egress_only')
        ? 'eigw'
        : 'igw'
      : r.nat_gateway_id
        ? 'nat'
        : r.egress_only_gateway_id
          ? 'eigw'
          : r.network_interface_id?.includes('NatInstance')
            ? 'nat' // the NAT instance's fixed interface (natGateways: 'instance')
            : 'other';
    tables[table].push({ dest: r.destination_cidr_block ?? r.destination_ipv6_cidr_block, target });
  }
  return tables;
}

function tablesOfTier(out: Synthesized, tier: string): string[] {
  return out
    .resources('aws_route_table')
    .filter(([id]) => id.startsWith(`Network_${tier}RouteTable`))
    .map(([id]) => id);
}

function withNat(mode: 'none' | 'single' | 'perAz', azs = 2): Synthesized {
  return network(configOf('dev', (env) => editNat(env, mode, azs)));
}

function editNat(env: any, mode: 'none' | 'single' | 'perAz', azs: number): void {
  env.network.natGateways = mode;
  if (mode === 'none') {
    env.network.interfaceEndpoints = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sts'];
    // Without NAT the bootstrap's client image must come from the account's own ECR.
    const ownEcr = `${env.accountId}.dkr.ecr.us-east-1.amazonaws.com`;
    env.database.bootstrapImage = `${ownEcr}/postgres@sha256:${'a'.repeat(64)}`;
    env.observability.tracing = { collectorImage: `${ownEcr}/aws-otel-collector@sha256:${'b'.repeat(64)}` };
  }
  if (azs === 3) {
    env.network.availabilityZones.push('us-east-1c');
    env.network.subnets.public.push('10.0.3.0/24');
    env.network.subnets.private.push('10.0.12.0/24');
    env.network.subnets.isolated.push('10.0.22.0/24');
  }
}

describe('VPC topology per NAT mode', () => {
  const cases = [
    ['none', 2, 0, 1],
    ['single', 2, 1, 1],
    ['perAz', 2, 2, 2],
    ['single', 3, 1, 1],
    ['perAz', 3, 3, 3],
  ] as const;

  it.each(cases)(
    'natGateways %s with %d AZs: %d NAT gateways, %d private route tables',
    (mode, azs, nats, privateTables) => {
      const out = withNat(mode, azs);
      expect(out.count('aws_nat_gateway')).toBe(nats);
      expect(out.count('aws_eip')).toBe(nats);
      expect(out.count('aws_subnet')).toBe(3 * azs);
      const routes = routesByTable(out);
      const privates = tablesOfTier(out, 'Private');
      expect(privates).toHaveLength(privateTables);
      for (const t of privates) {
        const v4 = routes[t].filter((r) => r.dest === '0.0.0.0/0');
        expect(v4.map((r) => r.target)).toEqual(nats > 0 ? ['nat'] : []);
      }
      // Per AZ: each private table routes to a different NAT gateway.
      if (mode === 'perAz') {
        const natRefs = out
          .resources('aws_route')
          .filter(([, r]) => r.nat_gateway_id)
          .map(([, r]) => r.nat_gateway_id);
        expect(new Set(natRefs).size).toBe(azs);
      }
      // NAT gateways sit in public subnets.
      for (const [, ngw] of out.resources('aws_nat_gateway'))
        expect(ngw.subnet_id).toMatch(/Network_PublicSubnet\d/);
      // Every private subnet is associated with a private table; isolated with the isolated table.
      const assoc = out.resources('aws_route_table_association');
      expect(assoc.filter(([id]) => id.startsWith('Network_PrivateAssociation'))).toHaveLength(azs);
      expect(assoc.filter(([id]) => id.startsWith('Network_IsolatedAssociation'))).toHaveLength(azs);
    },
  );

  it('dev runs a NAT instance instead of gateways (issue 17) and prod one gateway per AZ', () => {
    expect(network(environments.dev).count('aws_nat_gateway')).toBe(0);
    expect(network(environments.dev).count('aws_autoscaling_group')).toBe(1);
    expect(network(environments.prod).count('aws_nat_gateway')).toBe(
      environments.prod.network.availabilityZones.length,
    );
  });
});

describe('VPC details (dev)', () => {
  const out = dev;
  const routes = routesByTable(out);

  it('enables DNS and an Amazon-provided IPv6 block', () => {
    expect(out.only('aws_vpc')).toMatchObject({
      cidr_block: '10.0.0.0/16',
      enable_dns_support: true,
      enable_dns_hostnames: true,
      assign_generated_ipv6_cidr_block: true,
    });
  });

  it('assigns no public IPs and gives each subnet a /64', () => {
    for (const [, s] of out.resources('aws_subnet')) {
      expect(s.map_public_ip_on_launch).toBe(false);
      expect(s.assign_ipv6_address_on_creation).toBe(false);
      expect(s.ipv6_cidr_block).toMatch(
        /^\$\{cidrsubnet\(aws_vpc\.Network_Vpc_[A-Z0-9]+\.ipv6_cidr_block, 8, \d+\)\}$/,
      );
    }
    const netnums = out.resources('aws_subnet').map(([, s]) => /, (\d+)\)\}$/.exec(s.ipv6_cidr_block)![1]);
    expect(new Set(netnums).size).toBe(netnums.length);
  });

  it('routes public to the IGW and private IPv6 to the egress-only gateway', () => {
    const [pub] = tablesOfTier(out, 'Public');
    expect(routes[pub]).toEqual(
      expect.arrayContaining([
        { dest: '0.0.0.0/0', target: 'igw' },
        { dest: '::/0', target: 'igw' },
      ]),
    );
    for (const t of tablesOfTier(out, 'Private')) {
      expect(routes[t]).toEqual(
        expect.arrayContaining([
          { dest: '0.0.0.0/0', target: 'nat' },
          { dest: '::/0', target: 'eigw' },
        ]),
      );
    }
    expect(out.count('aws_egress_only_internet_gateway')).toBe(1);
  });

  it('gives isolated subnets no internet route in either family', () => {
    for (const t of tablesOfTier(out, 'Isolated')) expect(routes[t]).toEqual([]);
    for (const mode of ['none', 'single', 'perAz'] as const) {
      const o = withNat(mode);
      const r = routesByTable(o);
      for (const t of tablesOfTier(o, 'Isolated')) expect(r[t]).toEqual([]);
    }
  });

  it('has no IPv6 resources without network.ipv6', () => {
    const o = network(configOf('dev', (env) => (env.network.ipv6 = false)));
    expect(o.only('aws_vpc').assign_generated_ipv6_cidr_block).toBe(false);
    expect(o.count('aws_egress_only_internet_gateway')).toBe(0);
    expect(o.resources('aws_route').filter(([, r]) => r.destination_ipv6_cidr_block)).toHaveLength(0);
    expect(o.resources('aws_network_acl_rule').filter(([, r]) => r.ipv6_cidr_block)).toHaveLength(0);
  });

  it('empties the default security group and adopts the default NACL with no rules', () => {
    expect(out.only('aws_default_security_group')).toMatchObject({ ingress: [], egress: [] });
    const acl = out.only('aws_default_network_acl');
    expect(acl.default_network_acl_id).toBe(
      ref('aws_vpc', out.resources('aws_vpc')[0][0], 'default_network_acl_id'),
    );
    expect(acl.ingress).toBeUndefined();
    expect(acl.egress).toBeUndefined();
  });

  it('writes flow logs (ALL) to a KMS-encrypted log group with a scoped role', () => {
    const flow = out.only('aws_flow_log');
    expect(flow).toMatchObject({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' });
    const group = out
      .resources('aws_cloudwatch_log_group')
      .find(([id]) => id.startsWith('Network_FlowLogGroup'))![1];
    expect(group).toMatchObject({ name: '/vpc/webplat-dev/flow-logs', retention_in_days: 30 });
    expect(group.kms_key_id).toBe(KEYS.logs);
    const role = out.resources('aws_iam_role').find(([id]) => id.startsWith('Network_FlowLogRole'))![1];
    expect(JSON.parse(role.assume_role_policy).Statement[0]).toMatchObject({
      Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
    const policy = JSON.parse(
      out.resources('aws_iam_role_policy').find(([id]) => id.startsWith('Network_FlowLogPolicy'))![1].policy,
    );
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0].Action).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'logs:DescribeLogStreams',
    ]);
    expect(
      policy.Statement[0].Resource.every((r: string) =>
        r.includes('aws_cloudwatch_log_group.Network_FlowLogGroup'),
      ),
    ).toBe(true);
  });
});

describe('NACLs per tier', () => {
  const out = dev;
  const rules = (tier: string) =>
    out
      .resources('aws_network_acl_rule')
      .filter(([, r]) => r.network_acl_id.includes(`Network_${tier}Acl`))
      .map(([, r]) => ({
        egress: r.egress,
        cidr: r.cidr_block ?? r.ipv6_cidr_block,
        protocol: r.protocol,
        from: r.from_port,
        to: r.to_port,
      }));

  it('associates each tier with its own ACL', () => {
    expect(out.count('aws_network_acl')).toBe(3);
    for (const [id, acl] of out.resources('aws_network_acl')) {
      const tier = /Network_(\w+)Acl/.exec(id)![1];
      expect(acl.subnet_ids.every((s: string) => s.includes(`Network_${tier}Subnet`))).toBe(true);
    }
  });

  it('public: 80/443 and ephemeral from the world (both families), all from the VPC', () => {
    const r = rules('Public');
    for (const cidr of ['0.0.0.0/0', '::/0']) {
      expect(r).toContainEqual({ egress: false, cidr, protocol: 'tcp', from: 80, to: 80 });
      expect(r).toContainEqual({ egress: false, cidr, protocol: 'tcp', from: 443, to: 443 });
      expect(r).toContainEqual({ egress: false, cidr, protocol: 'tcp', from: 1024, to: 65535 });
    }
    expect(r).toContainEqual({ egress: false, cidr: '10.0.0.0/16', protocol: '-1', from: 0, to: 0 });
    // Nothing else is open to the world inbound.
    const worldIn = r.filter((x) => !x.egress && (x.cidr === '0.0.0.0/0' || x.cidr === '::/0'));
    expect(worldIn.every((x) => [80, 443, 1024].includes(x.from))).toBe(true);
  });

  it('private: all from the VPC, ephemeral return traffic from anywhere', () => {
    const r = rules('Private');
    expect(r).toContainEqual({ egress: false, cidr: '10.0.0.0/16', protocol: '-1', from: 0, to: 0 });
    expect(r).toContainEqual({ egress: false, cidr: '0.0.0.0/0', protocol: 'tcp', from: 1024, to: 65535 });
    expect(r.filter((x) => !x.egress && x.cidr === '0.0.0.0/0' && x.protocol === '-1')).toEqual([]);
  });

  it('isolated: only the data ports from private (and isolated) subnets, and return traffic to them', () => {
    const r = rules('Isolated');
    const ingress = r.filter((x) => !x.egress);
    for (const port of [5432, 6379]) {
      for (const cidr of ['10.0.10.0/24', '10.0.11.0/24'])
        expect(ingress).toContainEqual({ egress: false, cidr, protocol: 'tcp', from: port, to: port });
    }
    // No world rules, no all-protocol rules, nothing from the public tier.
    expect(r.filter((x) => x.cidr === '0.0.0.0/0' || x.cidr === '::/0' || x.protocol === '-1')).toEqual([]);
    expect(r.filter((x) => x.cidr.startsWith('10.0.1.') || x.cidr.startsWith('10.0.2.'))).toEqual([]);
    expect(new Set(ingress.filter((x) => x.from !== 1024).map((x) => x.from))).toEqual(new Set([5432, 6379]));
    expect(r.filter((x) => x.egress).every((x) => x.from === 1024 || [5432, 6379].includes(x.from))).toBe(
      true,
    );
  });

  it('uses the engine port of the configured database', () => {
    const o = network(
      configOf('dev', (env) => {
        env.database.engine = 'mysql';
        env.database.engineVersion = '8.0.39';
      }),
    );
    const ports = new Set(
      o
        .resources('aws_network_acl_rule')
        .filter(([id, x]) => id.includes('IsolatedAclIn') && x.from_port !== 1024)
        .map(([, x]) => x.from_port),
    );
    expect(ports).toEqual(new Set([3306, 6379]));
  });
});

describe('VPC endpoints', () => {
  it('puts S3 and DynamoDB gateway endpoints on the private and isolated route tables', () => {
    const out = withNat('perAz');
    const gateways = out.resources('aws_vpc_endpoint').filter(([, e]) => e.vpc_endpoint_type === 'Gateway');
    expect(gateways.map(([, e]) => e.service_name).sort()).toEqual([
      'com.amazonaws.us-east-1.dynamodb',
      'com.amazonaws.us-east-1.s3',
    ]);
    for (const [, e] of gateways) {
      expect(e.route_table_ids).toHaveLength(3);
      expect(e.route_table_ids.some((t: string) => t.includes('IsolatedRouteTable'))).toBe(true);
      expect(e.route_table_ids.some((t: string) => t.includes('PublicRouteTable'))).toBe(false);
    }
  });

  it("limits the gateway endpoints to this account's buckets and tables (and the AWS-owned buckets pulls need)", () => {
    const gateways = Object.fromEntries(
      dev
        .resources('aws_vpc_endpoint')
        .filter(([, e]) => e.vpc_endpoint_type === 'Gateway')
        .map(([, e]) => [e.service_name.split('.').pop(), JSON.parse(e.policy).Statement]),
    );
    expect(gateways.s3[0]).toMatchObject({
      Effect: 'Allow',
      Action: 's3:*',
      Condition: { StringEquals: { 'aws:ResourceAccount': '111111111111' } },
    });
    expect(gateways.s3[1]).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
    expect(gateways.s3[1].Resource).toContain('arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*');
    for (const r of gateways.s3[1].Resource) expect(r).toMatch(/^arn:aws:s3:::[a-z0-9.-]+\/\*$/);
    expect(gateways.dynamodb).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:*',
        Resource: 'arn:aws:dynamodb:us-east-1:111111111111:*',
      }),
    ]);
  });

  it('creates interface endpoints with private DNS and their own group admitting 443 from the VPC', () => {
    const out = withNat('none');
    const interfaces = out
      .resources('aws_vpc_endpoint')
      .filter(([, e]) => e.vpc_endpoint_type === 'Interface');
    expect(interfaces.map(([, e]) => e.service_name.replace('com.amazonaws.us-east-1.', '')).sort()).toEqual([
      'ecr.api',
      'ecr.dkr',
      'logs',
      'secretsmanager',
      'sts',
    ]);
    for (const [, e] of interfaces) {
      expect(e.private_dns_enabled).toBe(true);
      expect(e.subnet_ids.every((s: string) => s.includes('PrivateSubnet'))).toBe(true);
      expect(e.security_group_ids).toEqual([expect.stringContaining('Network_EndpointSecurityGroup')]);
    }
    const ingress = out
      .resources('aws_vpc_security_group_ingress_rule')
      .filter(([id]) => id.startsWith('Network_EndpointSecurityGroup'));
    expect(
      ingress.map(([, r]) => ({ cidr: r.cidr_ipv4, from: r.from_port, to: r.to_port, proto: r.ip_protocol })),
    ).toEqual([{ cidr: '10.0.0.0/16', from: 443, to: 443, proto: 'tcp' }]);
    expect(out.json.output.endpoint_security_group_id).toBeDefined();
  });
});

// Whole dev platform, synthesized once (memoized): the outputs of several layers (network, security)
// together, and the key the stack hands the network layer.
describe('stack outputs', () => {
  it('export the network and keys other parts need', () => {
    const out = synthPlatform(envInput('dev'));
    expect(Object.keys(out.json.output)).toEqual(
      expect.arrayContaining([
        'vpc_id',
        'public_subnet_ids',
        'private_subnet_ids',
        'isolated_subnet_ids',
        'private_route_table_ids',
        'kms_key_arns',
      ]),
    );
    expect(out.json.output.private_subnet_ids.value).toHaveLength(2);
  });

  it('encrypt the flow logs with the security layer logs key', () => {
    const group = synthPlatform(envInput('dev'))
      .resources('aws_cloudwatch_log_group')
      .find(([id]) => id.startsWith('Network_FlowLogGroup'))![1];
    expect(group.kms_key_id).toMatch(/aws_kms_key\.Keys_Logs_Key/);
  });
});
