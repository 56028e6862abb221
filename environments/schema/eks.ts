/**
 * `compute.eks`: the EKS cluster of `compute.platform: eks` (constructs/compute/eks/): Kubernetes
 * version, API endpoint access, managed node groups, add-on versions, the services' namespace.
 */
import { z } from './zod';
import { EKS_VERSIONS } from '../rules';
import { report } from './errors';
import { cidrSchema, slug } from './primitives';

/** A managed node group: EC2 capacity for the cluster's pods, in the private subnets. */
const nodeGroupSchema = z
  .strictObject({
    /** Default: on-demand. Spot suits interruption-tolerant workloads; give it several instance types. */
    capacity: z.enum(['on-demand', 'spot']).default('on-demand'),
    instanceTypes: z
      .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type'))
      .min(1, 'needs at least one instance type'),
    minSize: z.number().int().min(0),
    desiredSize: z.number().int().min(0),
    maxSize: z.number().int().min(1),
    /** Root volume (encrypted gp3) in GiB. Default: 50. */
    diskSizeGb: z.number().int().min(20).max(16384).default(50),
    /** Kubernetes node labels. Default: none. */
    labels: z.record(z.string().max(63), z.string().max(63)).default({}),
    /** Kubernetes taints. Default: none. */
    taints: z
      .array(
        z.strictObject({
          key: z.string().min(1).max(63),
          value: z.string().max(63).optional(),
          effect: z.enum(['NO_SCHEDULE', 'NO_EXECUTE', 'PREFER_NO_SCHEDULE']),
        }),
      )
      .default([]),
  })
  .superRefine((g, ctx) => {
    if (g.minSize > g.maxSize) report(ctx, ['minSize'], `${g.minSize} is above maxSize ${g.maxSize}`);
    if (g.desiredSize < g.minSize || g.desiredSize > g.maxSize)
      report(
        ctx,
        ['desiredSize'],
        `${g.desiredSize} is outside minSize ${g.minSize} .. maxSize ${g.maxSize}`,
      );
  });

/**
 * The managed add-ons every cluster gets; a version per add-on, or EKS's default for the cluster
 * version. `amazon-cloudwatch-observability`: Container Insights (enhanced observability: node, pod
 * and container metrics, Fluent Bit for pod logs) and the CloudWatch agent the services send their
 * OpenTelemetry traces to (docs/architecture.md, "Tracing").
 */
export const EKS_ADDONS = [
  'vpc-cni',
  'coredns',
  'kube-proxy',
  'aws-ebs-csi-driver',
  'eks-pod-identity-agent',
  'amazon-cloudwatch-observability',
] as const;
const addonVersion = z
  .string()
  .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, 'must be an add-on version such as v1.19.0-eksbuild.1');

export const eksSchema = z.strictObject({
  /** Kubernetes version; one of rules.ts EKS_VERSIONS (still in standard support). */
  version: z.string().refine((v) => v in EKS_VERSIONS, {
    error: (i) =>
      `${String(i.input)} is not an EKS version in standard support; use one of ${Object.keys(EKS_VERSIONS).join(', ')} (environments/rules.ts)`,
  }),
  /**
   * CIDRs that may reach the public API endpoint; the private endpoint is always on. Default: none
   * (public endpoint off: kubectl from inside the VPC, e.g. through the bastion).
   */
  publicAccessCidrs: z.array(cidrSchema).default([]),
  nodeGroups: z
    .record(slug(20), nodeGroupSchema)
    .refine((g) => Object.keys(g).length > 0, { error: 'needs at least one node group' }),
  /** Add-on name -> version. Default: EKS's default version of each for the cluster's Kubernetes version. */
  addons: z.partialRecord(z.enum(EKS_ADDONS), addonVersion).default({}),
  /** Namespace of the services' Kubernetes service accounts (their Pod Identity roles trust it). Default: apps. */
  namespace: slug(63).default('apps'),
});
