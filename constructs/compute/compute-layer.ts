import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentConfig, ServiceConfig } from '../../environments/schema';
import type { LogSettings } from '../core/log-group';
import type { Naming } from '../core/naming';
import type { RoutedTarget } from '../core/routing';
import type { OwnedSecurityGroup } from '../core/security-group';
import type { DatabaseBootstrap, ServiceBindings } from '../core/service-bindings';
import { EksCompute } from './eks/eks-compute';
import { FargateCompute } from './fargate-compute';

/** What every compute platform receives (docs/architecture.md, "Layers"). */
export interface ComputeLayerProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  readonly config: Pick<EnvironmentConfig, 'compute' | 'services' | 'ecr' | 'dns' | 'observability'>;
  readonly vpcId: string;
  /** Private subnets, one per AZ. */
  readonly subnetIds: string[];
  readonly keys: { readonly data: string; readonly secrets: string };
  readonly logs: LogSettings;
  /** The edge's target per load-balanced service, and the group its traffic comes from. */
  readonly routes: Readonly<Record<string, RoutedTarget>>;
  readonly ingress: OwnedSecurityGroup;
  /** What each service receives from what it `uses` (the data layer's bindings). */
  readonly bindings: (name: string, service: ServiceConfig) => ServiceBindings;
  /** GuardDuty runtime monitoring is on in the account: executions may pull its agent. */
  readonly guardDutyAgent: boolean;
  /** Cluster administrators (EKS access entries; never the pipeline). Default: none. */
  readonly adminPrincipalArns?: readonly string[];
  /** The edge's hosted zone: EKS's external-dns may write there. Default: no external-dns role. */
  readonly hostedZoneId?: string;
  /** The database's bootstrap (EKS: the Job's Pod Identity role; no pod role reads its secret). Default: no database. */
  readonly database?: DatabaseBootstrap;
  /**
   * What a service's migration task receives (its schema's migration user, data/data-layer.ts
   * migrationBindingsFor); for services with `migrations`. Default: none (no migrations).
   */
  readonly migrationBindings?: (name: string) => ServiceBindings;
}

/** One deployable workload, as other layers and the stack's outputs see it. */
export interface Workload {
  readonly securityGroup: OwnedSecurityGroup;
  readonly repositoryUrl: string;
  readonly serviceName: string;
  readonly taskRoleArn: string;
  /** ECS task definition family (Fargate only). */
  readonly taskFamily?: string;
}

/** The compute layer, whichever platform (`compute.platform`) runs the services. */
export interface ComputeLayer {
  readonly platform: EnvironmentConfig['compute']['platform'];
  readonly workloads: Readonly<Record<string, Workload>>;
  /** The cluster's name, for operators and the deploy workflows. */
  readonly clusterName: string;
}

/** Builds the configured compute platform; a new platform is one more case here. */
export function createCompute(scope: Construct, id: string, props: ComputeLayerProps): ComputeLayer {
  const layer =
    props.config.compute.platform === 'eks'
      ? new EksCompute(scope, id, props)
      : new FargateCompute(scope, id, props);
  computeOutputs(layer as unknown as Construct, layer);
  return layer;
}

/** What the deploy workflows and operators need of any platform, as stack outputs. */
function computeOutputs(scope: Construct, layer: ComputeLayer): void {
  const out = (id: string, value: unknown, description: string) =>
    new TerraformOutput(scope, id, { value, description });
  const each = <T>(f: (w: Workload) => T) =>
    Object.fromEntries(Object.entries(layer.workloads).map(([name, w]) => [name, f(w)]));
  out('cluster_name', layer.clusterName, layer.platform === 'eks' ? 'EKS cluster' : 'ECS cluster');
  out(
    'repository_urls',
    each((w) => w.repositoryUrl),
    'ECR repository URL per service',
  );
  out(
    'service_names',
    each((w) => w.serviceName),
    layer.platform === 'eks' ? 'Kubernetes workload name per service' : 'ECS service name per service',
  );
  out(
    'task_role_arns',
    each((w) => w.taskRoleArn),
    layer.platform === 'eks' ? 'Pod Identity role ARN per service' : 'Task role ARN per service',
  );
  if (layer.platform === 'fargate')
    out(
      'task_definition_families',
      each((w) => w.taskFamily),
      'Task definition family per service',
    );
}
