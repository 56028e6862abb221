import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { EksConfig } from '../../../environments/schema';
import { EKS_ADDONS } from '../../../environments/schema/eks';
import type { Naming } from '../../core/naming';
import { ebsCsiStatements } from './controller-roles';
import { PodIdentityRole } from './pod-identity-role';

export interface EksAddonsProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
  readonly clusterArn: string;
  /** Add-on -> version. Default per add-on: EKS's default for the cluster's Kubernetes version. */
  readonly versions: EksConfig['addons'];
  /** What must exist before add-ons whose pods need nodes (CoreDNS, the EBS CSI controller). */
  readonly nodes: ITerraformDependable[];
}

/** Add-ons whose pods run on nodes: created after the node groups or they stay degraded. */
const NEEDS_NODES = new Set(['coredns', 'aws-ebs-csi-driver']);

/**
 * The managed add-ons (compute.ts EKS_ADDONS). The EBS CSI driver gets its Pod Identity role through
 * the add-on's own association; the Pod Identity agent makes every association work.
 */
export class EksAddons extends Construct {
  readonly addons: Record<string, EksAddon> = {};

  constructor(scope: Construct, id: string, props: EksAddonsProps) {
    super(scope, id);
    const ebs = new PodIdentityRole(this, 'EbsCsiRole', {
      roleName: props.naming.name('eks-ebs-csi'),
      accountId: props.accountId,
      clusterName: props.clusterName,
      clusterArn: props.clusterArn,
      namespace: 'kube-system',
      serviceAccount: 'ebs-csi-controller-sa',
      statements: ebsCsiStatements(props.region, props.accountId, props.clusterName),
      associate: false,
    });
    for (const name of EKS_ADDONS) {
      this.addons[name] = new EksAddon(this, name, {
        clusterName: props.clusterName,
        addonName: name,
        addonVersion: props.versions[name],
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
        ...(name === 'aws-ebs-csi-driver'
          ? { podIdentityAssociation: [{ roleArn: ebs.role.arn, serviceAccount: 'ebs-csi-controller-sa' }] }
          : {}),
        dependsOn: NEEDS_NODES.has(name) ? props.nodes : undefined,
      });
    }
  }
}
