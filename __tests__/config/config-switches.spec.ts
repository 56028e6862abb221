/**
 * Every config option that creates resources is on in at least one stack the app synthesizes
 * (issue 25): the switches come from the zod schema itself (support/config-switches.ts), so a new
 * option fails this test until a configuration turns it on or it is listed below with its reason.
 * Stale entries (a switch that no longer exists, or that some configuration now turns on) fail too.
 */
import { registry } from '../../environments';
import { environmentConfigSchema } from '../../environments/schema/environment';
import { z } from '../../environments/schema/zod';
import { schemaSwitches, switchesOn } from '../support/config-switches';

/** Options that only set values of resources every stack has (all their values): no resource of their own. */
const VALUES_ONLY: Record<string, string> = {
  'frontend.priceClass': 'an attribute of the distribution',
  'frontend.geoRestriction': 'an attribute of the distribution',
  'frontend.geoRestriction.type': 'an attribute of the distribution',
  'compute.eks.nodeGroups.*.taints[].effect': 'a Kubernetes taint on a node group',
  'ecr.imageTagMutability': 'an attribute of each repository',
  'services.*.sidecars[].essential': 'a container setting',
  'services.*.sidecars[].environment': 'a container setting',
  'services.*.environment': 'a container setting',
  'services.*.secrets': 'container settings (secrets by ARN) and the grants that go with them',
  'services.*.architecture': 'a task definition setting',
  'services.*.deployment.trafficShift.type': 'a CodeDeploy predefined configuration name',
  'cache.skipFinalSnapshot': 'an attribute of the replication group',
  'tables.*.partitionKey.type': 'an attribute of the table',
  'tables.*.sortKey.type': 'an attribute of the table',
  'buckets.*.backup': 'membership in the backup selection other buckets already exercise',
  'messaging.kafka.enhancedMonitoring': 'an attribute of the cluster',
  'identity.requiredAttributes[]': 'attributes of the user pool schema',
  'identity.customAttributes.*.type': 'attributes of the user pool schema',
  'identity.customAttributes.*.mutable': 'attributes of the user pool schema',
  'identity.mfa': 'an attribute of the user pool',
  'identity.threatProtection': 'an attribute of the user pool (its add-ons)',
  'backup.vaultLock.mode': 'an attribute of the vault lock',
  'observability.thresholds.periodSeconds': 'an attribute of each alarm',
  'guards.waivers[].rule': 'a waiver names a rule: no resource',
  'compute.eks.addons':
    'versions of the managed add-ons every cluster gets (EKS_ADDONS): unset, EKS picks the default for the cluster version',
  'tables.*.stream':
    'which item images a table stream carries (an attribute of the table); a stream and its consumer are on in reference-seed004',
};

/** Options that create resources and that no configuration turns on, each with its reason. */
const PENDING: Record<string, string> = {
  'network.natGateways=none':
    "the platform's bootstrap, AWS CLI and OpenTelemetry collector images come from public.ecr.aws, which needs NAT or an ECR pull-through cache (not built); the schema refuses them without NAT (environment.ts checkWithoutNat)",
};

const pathOf = (s: string) => s.slice(0, s.lastIndexOf('='));

/** The switches neither on in `configs` nor listed. */
function uncovered(schema: unknown, configs: readonly unknown[]): string[] {
  const on = switchesOn(configs);
  return schemaSwitches(schema).filter((s) => !on.has(s) && !(pathOf(s) in VALUES_ONLY) && !(s in PENDING));
}

// Every configuration the app synthesizes: the environments and the reference configurations.
const configs = [...Object.values(registry.environments), ...Object.values(registry.references)];
const switches = schemaSwitches(environmentConfigSchema);

describe('config switches', () => {
  it('are derived from the schema: optional sections, records, enum values, booleans', () => {
    expect(switches).toEqual(
      expect.arrayContaining([
        'database=present',
        'database.engine=mysql',
        'compute.platform=eks',
        'services=non-empty',
        'services.*.enableExec=true',
        'identity.providers.google=present',
      ]),
    );
  });

  it('are each on in some synthesized configuration, or listed with a reason', () => {
    expect(uncovered(environmentConfigSchema, configs)).toEqual([]);
  });

  it('lists nothing stale: every listed switch exists and no configuration turns it on', () => {
    const on = switchesOn(configs);
    const paths = new Set(switches.map(pathOf));
    expect(Object.keys(VALUES_ONLY).filter((p) => !paths.has(p))).toEqual([]);
    expect(Object.keys(PENDING).filter((s) => !switches.includes(s) || on.has(s))).toEqual([]);
    // A values-only path with every value on somewhere needs no entry.
    expect(
      Object.keys(VALUES_ONLY).filter((p) => switches.filter((s) => pathOf(s) === p).every((s) => on.has(s))),
    ).toEqual([]);
  });

  it('fails on an option no configuration turns on (planted)', () => {
    const planted = z.strictObject({
      ...environmentConfigSchema.shape,
      reportingWarehouse: z.strictObject({ nodes: z.number() }).optional(),
      tier: z.enum(['production', 'non-production', 'sandbox']),
    });
    expect(uncovered(planted, configs)).toEqual(['tier=sandbox', 'reportingWarehouse=present']);
  });
});
