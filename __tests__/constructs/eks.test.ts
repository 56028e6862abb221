import { WILDCARD_RESOURCE_ACTIONS } from '../../constructs/core/iam';
import { EKS_LOG_TYPES } from '../../constructs/compute/eks/eks-cluster';
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

  it('authenticates with access entries only: admins and the pipeline apply role are cluster admins', () => {
    expect(cluster.access_config).toEqual({
      authentication_mode: 'API',
      bootstrap_cluster_creator_admin_permissions: false,
    });
    const principals = out.resources('aws_eks_access_entry').map(([, e]) => e.principal_arn);
    expect(principals.sort()).toEqual(
      [
        `arn:aws:iam::${ACCOUNT}:role/platform-admin`,
        `arn:aws:iam::${ACCOUNT}:role/webplat-enterprise-github-apply`,
      ].sort(),
    );
    for (const [, a] of out.resources('aws_eks_access_policy_association'))
      expect(a).toMatchObject({
        policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        access_scope: { type: 'cluster' },
      });
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

  it('launches nodes with IMDSv2 only (hop limit 2), an encrypted gp3 root volume and no SSH key', () => {
    expect(templates).toHaveLength(2);
    for (const t of templates) {
      expect(t.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 2 });
      expect(t.block_device_mappings[0].ebs).toMatchObject({ volume_type: 'gp3', encrypted: 'true' });
      expect(t.key_name).toBeUndefined();
    }
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

describe('EKS networking', () => {
  const ingress = out.resources('aws_vpc_security_group_ingress_rule').map(([id, r]) => ({ id, ...r }));
  it('admits the node group to the data tier and Kafka for what services use, and the ALB to pods', () => {
    const fromNodes = ingress.filter((r) => r.referenced_security_group_id?.includes('Nodes_SecurityGroup'));
    const into = fromNodes.map((r) => `${r.id.split('_')[0]}:${r.from_port}`).sort();
    expect(into).toEqual(expect.arrayContaining(['Cache:6379', 'Database:5432', 'Kafka:9098']));
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
