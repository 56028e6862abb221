import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { ServiceConfig } from '../../../environments/schema';
import { Layer } from '../../core/addresses';
import type { PolicyStatement } from '../../core/iam';
import { pipelineRoleNames, roleArn } from '../../core/naming';
import { connect } from '../../core/security-group';
import type { ServiceBindings } from '../../core/service-bindings';
import type { ComputeLayer, ComputeLayerProps, Workload } from '../compute-layer';
import { ServiceRepository } from '../service-repository';
import { ControllerRoles } from './controller-roles';
import { EksAddons } from './eks-addons';
import { EksControlPlane } from './eks-cluster';
import { EksNodeGroups } from './eks-node-groups';
import { PodIdentityRole } from './pod-identity-role';

/**
 * `compute.platform: eks`: the control plane, managed node groups, add-ons and controller roles;
 * per service its ECR repository and a Pod Identity role with what it `uses`. Kubernetes objects
 * are the cluster bootstrap's (Helm / Argo CD): the `eks_bootstrap` output holds what it needs.
 * Pods share the node group's security group: the data tier and Kafka admit it for what any
 * service `uses` (pod-level groups need Kubernetes objects; docs/architecture.md, "EKS").
 */
export class EksCompute extends Layer implements ComputeLayer {
  readonly platform = 'eks' as const;
  readonly controlPlane: EksControlPlane;
  readonly nodes: EksNodeGroups;
  readonly addons: EksAddons;
  readonly controllers: ControllerRoles;
  readonly repositories: Record<string, ServiceRepository> = {};
  readonly podRoles: Record<string, PodIdentityRole> = {};
  readonly workloads: Record<string, Workload> = {};
  readonly clusterName: string;

  constructor(scope: Construct, id: string, props: ComputeLayerProps) {
    super(scope, id);
    const { naming, config } = props;
    const eks = config.compute.eks!; // required with platform eks (schema/compute.ts)
    this.controlPlane = new EksControlPlane(this, 'ControlPlane', {
      naming,
      accountId: props.accountId,
      version: eks.version,
      vpcId: props.vpcId,
      subnetIds: props.subnetIds,
      publicAccessCidrs: eks.publicAccessCidrs,
      secretsKmsKeyArn: props.keys.secrets,
      logs: props.logs,
      adminPrincipalArns: [
        ...(props.adminPrincipalArns ?? []),
        roleArn(props.accountId, pipelineRoleNames.apply(naming.props.project, naming.props.environment!)),
      ],
    });
    const cluster = this.controlPlane.cluster;
    this.clusterName = this.controlPlane.name;
    this.nodes = new EksNodeGroups(this, 'Nodes', {
      naming,
      accountId: props.accountId,
      controlPlane: this.controlPlane,
      vpcId: props.vpcId,
      subnetIds: props.subnetIds,
      nodeGroups: eks.nodeGroups,
    });
    const scoped = { naming, accountId: props.accountId, region: props.region, clusterName: cluster.name };
    this.addons = new EksAddons(this, 'Addons', {
      ...scoped,
      clusterArn: cluster.arn,
      versions: eks.addons,
      nodes: Object.values(this.nodes.groups),
    });
    this.controllers = new ControllerRoles(this, 'Controllers', {
      ...scoped,
      clusterArn: cluster.arn,
      hostedZoneId: props.hostedZoneId,
    });
    this.services(props, eks.namespace);
    this.outputs(props, eks.namespace);
  }

  private services(props: ComputeLayerProps, namespace: string): void {
    const { naming, config } = props;
    const nodes = this.nodes.securityGroup;
    const admitted = new Set<string>();
    const once = (key: string, f: () => void) => {
      if (!admitted.has(key)) f();
      admitted.add(key);
    };
    for (const [name, svc] of Object.entries(config.services)) {
      const repository = new ServiceRepository(this, `Repository-${name}`, {
        name: naming.name(name),
        kmsKeyArn: props.keys.data,
        imageTagMutability: config.ecr.imageTagMutability,
      });
      const bindings = props.bindings(name, svc);
      const role = new PodIdentityRole(this, `PodRole-${name}`, {
        roleName: naming.name(`${name}-pod`),
        accountId: props.accountId,
        clusterName: this.controlPlane.cluster.name,
        clusterArn: this.controlPlane.cluster.arn,
        namespace,
        serviceAccount: name,
        statements: podStatements(svc, bindings, props),
      });
      if (props.routes[name])
        once(`alb:${svc.port}`, () =>
          connect(props.ingress, nodes, svc.port, `ALB to pods on ${svc.port}`, { clientEgress: true }),
        );
      for (const peer of bindings.peers)
        once(`${peer.securityGroup.name}:${peer.port}`, () =>
          connect(
            nodes,
            peer.securityGroup,
            peer.port,
            `EKS pods to ${peer.description.replace(/^\S+ to /, '')}`,
            {
              clientEgress: true,
            },
          ),
        );
      this.repositories[name] = repository;
      this.podRoles[name] = role;
      this.workloads[name] = {
        securityGroup: nodes,
        repositoryUrl: repository.url,
        serviceName: naming.name(name),
        taskRoleArn: role.role.arn,
      };
    }
  }

  /** What the cluster bootstrap (Helm / Argo CD) needs: one output, plain values and ARNs. */
  private outputs(props: ComputeLayerProps, namespace: string): void {
    const cluster = this.controlPlane.cluster;
    const perService = Object.fromEntries(
      Object.entries(props.config.services).map(([name, svc]) => {
        const b = props.bindings(name, svc);
        return [
          name,
          {
            namespace,
            service_account: name,
            role_arn: this.podRoles[name].role.arn,
            image_repository: this.repositories[name].url,
            port: svc.port,
            target_group_arn: props.routes[name]?.targetGroupArn ?? '',
            environment: { ...svc.environment, ...b.environment },
            secret_arns: [
              ...new Set([...Object.values(svc.secrets), ...Object.values(b.secrets)].map((s) => s.arn)),
            ],
          },
        ];
      }),
    );
    new TerraformOutput(this, 'eks_bootstrap', {
      description: 'What the cluster bootstrap (Helm / Argo CD) needs (docs/runbooks.md, "EKS bootstrap")',
      value: {
        cluster_name: cluster.name,
        cluster_endpoint: cluster.endpoint,
        cluster_ca: cluster.certificateAuthority.get(0).data,
        kubernetes_version: cluster.version,
        region: props.region,
        vpc_id: props.vpcId,
        node_security_group_id: this.nodes.securityGroup.id,
        controllers: this.controllers.controllers,
        services: perService,
      },
    });
  }
}

/** A pod role's statements: what its `uses` grant, the secrets it names, X-Ray when it traces. */
function podStatements(svc: ServiceConfig, b: ServiceBindings, props: ComputeLayerProps): PolicyStatement[] {
  const secretArns = [
    ...new Set([...Object.values(svc.secrets), ...Object.values(b.secrets)].map((s) => s.arn)),
  ];
  return [
    ...b.statements,
    ...(secretArns.length > 0
      ? [
          {
            Sid: 'ReadNamedSecrets',
            Effect: 'Allow' as const,
            Action: 'secretsmanager:GetSecretValue',
            Resource: secretArns,
          },
          {
            Sid: 'DecryptSecrets',
            Effect: 'Allow' as const,
            Action: 'kms:Decrypt',
            Resource: props.keys.secrets,
            Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${props.region}.amazonaws.com` } },
          },
        ]
      : []),
    ...(svc.xray
      ? [
          {
            Sid: 'XRay',
            Effect: 'Allow' as const,
            Action: [
              'xray:PutTraceSegments',
              'xray:PutTelemetryRecords',
              'xray:GetSamplingRules',
              'xray:GetSamplingTargets',
            ],
            Resource: '*',
          },
        ]
      : []),
  ];
}
