import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { Layer } from '../../core/addresses';
import { NAMED_SECRETS_SIDS, type PolicyStatement, secretsReadStatements } from '../../core/iam';
import type { ContractRequest } from '../../core/role-contract';
import { connect } from '../../core/security-group';
import { mergeBindings, type ServiceBindings } from '../../core/service-bindings';
import type { ComputeLayer, ComputeLayerProps, Workload } from '../compute-layer';
import { AGENT_OTLP_ENDPOINT, tracingEnvironment } from '../otel-collector';
import { ServiceRepository } from '../service-repository';
import { ControllerRoles } from './controller-roles';
import { databaseBootstrapJob } from './database-bootstrap-job';
import { DATABASE_BOOTSTRAP_SUBJECT, databaseBootstrapRole } from './database-bootstrap-role';
import { EksAddons } from './eks-addons';
import { EksControlPlane } from './eks-cluster';
import { EksNodeGroups } from './eks-node-groups';
import { podRoleDenies } from './pod-contracts';
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
  /**
   * Per service, its config's environment and secrets merged with its bindings (`mergeBindings`,
   * as on Fargate: a variable set twice is an error, not silently overwritten), computed once.
   */
  private readonly bound: Record<string, ServiceBindings> = {};
  /** The database bootstrap Job's role (with a database): the only pod that reads the master secret. */
  readonly databaseBootstrapRole?: PodIdentityRole;
  readonly workloads: Record<string, Workload> = {};
  readonly clusterName: string;

  constructor(scope: Construct, id: string, props: ComputeLayerProps) {
    super(scope, id);
    const { naming, config } = props;
    const eks = config.compute.eks!; // required with platform eks (schema/compute.ts)
    this.controlPlane = new EksControlPlane(this, 'ControlPlane', {
      naming,
      accountId: props.accountId,
      region: props.region,
      version: eks.version,
      vpcId: props.vpcId,
      subnetIds: props.subnetIds,
      publicAccessCidrs: eks.publicAccessCidrs,
      secretsKmsKeyArn: props.keys.secrets,
      logs: props.logs,
      // Admins from config only: the pipeline manages no Kubernetes objects (docs/architecture.md, "EKS").
      adminPrincipalArns: props.adminPrincipalArns ?? [],
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
    const masterSecretArn = props.database?.masterSecretArn;
    const scoped = {
      naming,
      accountId: props.accountId,
      region: props.region,
      clusterName: cluster.name,
      clusterArn: cluster.arn,
      masterSecretArn,
    };
    this.addons = new EksAddons(this, 'Addons', {
      ...scoped,
      versions: eks.addons,
      nodes: Object.values(this.nodes.groups),
      logs: props.logs,
    });
    // Nodes (re)launch after aws-node has its own identity (docs/runbooks.md, "EKS rollout order").
    this.nodes.waitFor(this.addons.beforeNodes);
    this.controllers = new ControllerRoles(this, 'Controllers', {
      ...scoped,
      vpcId: props.vpcId,
      clusterLiteralName: this.controlPlane.name,
      hostedZoneId: props.hostedZoneId,
      domainName: config.dns.domainName,
      serviceNames: Object.keys(config.services),
    });
    if (props.database)
      this.databaseBootstrapRole = databaseBootstrapRole(this, 'DatabaseBootstrapRole', {
        ...scoped,
        masterSecretArn: props.database.masterSecretArn,
        secretsKmsKeyArn: props.keys.secrets,
        proxyUsers: props.database.proxyUsers,
      });
    this.services(props, eks.namespace);
    this.nodes.declareContract({
      region: props.region,
      repositoryArns: Object.values(this.repositories).map((r) => r.arn),
      podRequests: [
        ...Object.values(this.podRoles),
        ...Object.values(this.controllers.roles),
        this.addons.ebsCsiRole,
        this.addons.cniRole,
        this.addons.cloudwatchAgentRole,
        ...(this.databaseBootstrapRole ? [this.databaseBootstrapRole] : []),
      ].flatMap((r) => r.contract.allow),
    });
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
    // The database bootstrap Job runs on the nodes: they reach the database even where the services
    // reach it only through RDS Proxy (pods share the nodes' group; signing in still needs the
    // master secret, a migration role's IAM token or the proxy's password).
    const bootstrap = props.database?.peer;
    if (bootstrap)
      once(`${bootstrap.securityGroup.name}:${bootstrap.port}`, () =>
        connect(
          nodes,
          bootstrap.securityGroup,
          bootstrap.port,
          'EKS database bootstrap Job to the database',
          {
            clientEgress: true,
          },
        ),
      );
    for (const [name, svc] of Object.entries(config.services)) {
      const repository = new ServiceRepository(this, `Repository-${name}`, {
        name: naming.name(name),
        kmsKeyArn: props.keys.data,
        imageTagMutability: config.ecr.imageTagMutability,
      });
      const bindings = mergeBindings(
        name,
        { environment: svc.environment, secrets: svc.secrets },
        props.bindings(name, svc),
      );
      this.bound[name] = bindings;
      const role = new PodIdentityRole(this, `PodRole-${name}`, {
        roleName: naming.name(`${name}-pod`),
        accountId: props.accountId,
        region: props.region,
        clusterName: this.controlPlane.cluster.name,
        clusterArn: this.controlPlane.cluster.arn,
        namespace,
        serviceAccount: name,
        statements: podStatements(bindings, props),
        contract: {
          purpose: `The ${name} service's pods (${namespace}/${name}): what its config \`uses\` and names`,
          allow: [...bindings.requests.allow, ...podRequests(bindings, props)],
          deny: [
            ...bindings.requests.deny,
            ...podRoleDenies({ ...props, masterSecretArn: props.database?.masterSecretArn }),
          ],
        },
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
    const db = props.database;
    const bootstrap = this.databaseBootstrapRole;
    const perService = Object.fromEntries(
      Object.entries(props.config.services).map(([name, svc]) => {
        const b = this.bound[name];
        return [
          name,
          {
            namespace,
            service_account: name,
            role_arn: this.podRoles[name].role.arn,
            image_repository: this.repositories[name].url,
            port: svc.port,
            target_group_arn: props.routes[name]?.targetGroupArn ?? '',
            // Traces go to the CloudWatch agent's service (the amazon-cloudwatch-observability add-on),
            // which sends them to X-Ray with its own role: the pod role has no X-Ray rights.
            environment: {
              ...tracingEnvironment(props.naming, name, props.config.observability.tracing, {
                otlp: AGENT_OTLP_ENDPOINT,
              }),
              ...b.environment,
            },
            // Which variable comes from which secret (and JSON key): the Secrets Store CSI mapping.
            secrets: b.secrets,
            secret_arns: secretArnsOf(b),
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
        // Nodes keep IMDS to the host network (hop limit 1): controllers take region and VPC from here.
        controllers: this.controllers.controllers,
        services: perService,
        // The Kubernetes Job that gives each service its schema and users (docs/runbooks.md, "EKS bootstrap").
        ...(db && bootstrap
          ? {
              database_bootstrap: {
                namespace: DATABASE_BOOTSTRAP_SUBJECT.namespace,
                service_account: DATABASE_BOOTSTRAP_SUBJECT.serviceAccount,
                role_arn: bootstrap.role.arn,
                master_secret_arn: db.masterSecretArn,
                engine: db.engine,
                host: db.endpoint,
                port: db.port,
                database: db.databaseName,
                image: db.image,
                // The Job itself (kubectl apply -f): images by digest, the secret read by its Pod Identity role.
                job: databaseBootstrapJob(db, props.region),
              },
            }
          : {}),
      },
    });
  }
}

/** The secrets a service reads (its config's and its bindings', merged). */
function secretArnsOf(b: ServiceBindings): string[] {
  return [...new Set(Object.values(b.secrets).map((s) => s.arn))];
}

/**
 * A pod role's must-allow requests beyond its bindings': reading the secrets it names (the Secrets
 * Store CSI driver's AWS provider with the pod's identity). Traces need nothing: the CloudWatch agent sends them.
 */
function podRequests(b: ServiceBindings, props: ComputeLayerProps): ContractRequest[] {
  const secrets = secretArnsOf(b);
  return [
    ...secrets.map((resource) => ({
      action: 'secretsmanager:GetSecretValue',
      resource,
      because: 'secrets-store-csi-driver-provider-aws (usePodIdentity): the secret the service names',
    })),
    ...(secrets.length > 0
      ? [
          {
            action: 'kms:Decrypt',
            resource: props.keys.secrets,
            context: {
              'kms:ViaService': `secretsmanager.${props.region}.amazonaws.com`,
              'kms:CallerAccount': props.accountId,
            },
            because: 'Secrets Manager decrypts the secret with the secrets key for GetSecretValue',
          },
        ]
      : []),
  ];
}

/** A pod role's statements: what its `uses` grant, the secrets it names. */
function podStatements(b: ServiceBindings, props: ComputeLayerProps): PolicyStatement[] {
  const secretArns = secretArnsOf(b);
  return [
    ...b.statements,
    ...(secretArns.length > 0
      ? secretsReadStatements({
          secrets: secretArns,
          key: props.keys.secrets,
          region: props.region,
          sids: NAMED_SECRETS_SIDS,
        })
      : []),
  ];
}
