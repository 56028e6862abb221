import { BASELINE_ROLE_COMPONENTS } from '../../constructs/delivery/github-oidc';
import { PASSED_TO_SERVICES, servicesOfType, STACK_SERVICES } from '../../constructs/delivery/stack-services';
import { registry } from '../../environments';
import { appStack, appStackIds } from '../support/app-synth';
import type { Synthesized } from '../support/fixtures';

// The pipeline boundary allows exactly STACK_SERVICES and apply roles pass roles exactly to
// PASSED_TO_SERVICES: both must follow what the stacks really contain, every stack of the registry.
const all: Array<[string, Synthesized]> = appStackIds().map((id) => [id, appStack(id)]);
const typesOf = (out: Synthesized) => [
  ...Object.keys(out.json.resource ?? {}),
  ...Object.keys(out.json.data ?? {}),
];

describe('the services the stacks use (stack-services.ts)', () => {
  it('maps every aws_* resource and data type of every stack to IAM service prefixes', () => {
    const unmapped = all.flatMap(([id, out]) =>
      typesOf(out)
        .filter((t) => t.startsWith('aws_') && servicesOfType(t) === undefined)
        .map((t) => `${id}: ${t}`),
    );
    expect(unmapped).toEqual([]);
  });

  it('STACK_SERVICES is exactly the services of those types (a new layer cannot fall outside the boundary)', () => {
    const used = new Set(all.flatMap(([, out]) => typesOf(out).flatMap((t) => servicesOfType(t) ?? [])));
    expect([...STACK_SERVICES]).toEqual([...used].sort());
  });

  it('fails for a type it does not know (the check really runs)', () => {
    expect(servicesOfType('aws_sfn_state_machine')).toBeUndefined();
    expect(servicesOfType('aws_lb_listener_rule')).toEqual(['elasticloadbalancing']);
    expect(servicesOfType('aws_db_instance')).toEqual(['rds']);
  });

  it('PASSED_TO_SERVICES is exactly the services the platform and baseline roles trust', () => {
    const trusted = new Set(
      all
        .filter(([id]) => !id.startsWith('state-'))
        .flatMap(([, out]) => out.resources('aws_iam_role'))
        .flatMap(([, r]) =>
          JSON.parse(r.assume_role_policy).Statement.flatMap(
            (s: any) => s.Principal.Service ?? s.Principal.Federated,
          ),
        ),
    );
    expect([...PASSED_TO_SERVICES]).toEqual([...trusted].sort());
  });

  it("platform roles are named <project>-<env>-*, baseline roles are the account apply role's names", () => {
    for (const [id, out] of all) {
      const names = out.resources('aws_iam_role').map(([, r]) => r.name as string);
      const [kind, key] = id.split(/-(.*)/);
      if (kind === 'platform') {
        const project = Object.values(registry.accounts).find(
          (a) => a.accountId === registry.environments[key].accountId,
        )!.project;
        for (const n of names) expect(n).toMatch(new RegExp(`^${project}-${key}-`));
        // The apply role's bucket fence is by name (S3 evaluates bucket tags only with ABAC on).
        for (const [, b] of out.resources('aws_s3_bucket'))
          expect(b.bucket).toMatch(new RegExp(`^${project}-${key}-`));
      }
      if (kind === 'baseline') {
        const project = registry.accounts[key].project;
        for (const n of names) expect(BASELINE_ROLE_COMPONENTS.map((c) => `${project}-${c}`)).toContain(n);
      }
    }
  });
});
