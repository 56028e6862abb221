/**
 * Bare stacks for construct tests: one construct (or layer) under test on a stack holding only an
 * AWS provider and a `Naming`, with upstream inputs (VPC, subnets, keys, ...) as literal ids and
 * ARNs instead of other layers. Config-typed props come from the real schema (`parseEnvironmentConfig`
 * of an environment copy), so defaults come from the one place they are defined.
 *
 * The stack is a `StableAddressStack`, as in the platform: layers are transparent, so a construct's
 * resources get the same logical ids here as in `platform-<env>` (`Service-backend_...`).
 */
import { TerraformOutput, Testing, type ITerraformDependable } from 'cdktf';
import { StableAddressStack } from '../../constructs/core/addresses';
import { LogArchive } from '../../constructs/core/log-archive';
import type { LogSettings } from '../../constructs/core/log-group';
import { Naming } from '../../constructs/core/naming';
import { OwnedSecurityGroup } from '../../constructs/core/security-group';
import type { ServiceBindings } from '../../constructs/core/service-bindings';
import { standardTags } from '../../constructs/core/tagging';
import { PROJECT } from '../../environments/accounts';
import { parseEnvironmentConfig, type EnvironmentConfig } from '../../environments/schema';
import { configureAws, regionalProvider } from '../../stacks/aws';
import { envInput, synth, type Synthesized } from './fixtures';

export const VPC = 'vpc-0123456789abcdef0';
/** One subnet per AZ and tier (dev and prod have two AZs). */
export const SUBNETS = {
  public: ['subnet-0a00000000000pub1', 'subnet-0a00000000000pub2'],
  private: ['subnet-0a0000000000priv1', 'subnet-0a0000000000priv2'],
  isolated: ['subnet-0a000000000000iso1', 'subnet-0a000000000000iso2'],
} as const;
const key = (id: string) => `arn:aws:kms:us-east-1:111111111111:key/${id}`;
/** The platform keys by purpose, as literal ARNs. */
export const KEYS = {
  data: key('11111111-1111-1111-1111-111111111111'),
  logs: key('22222222-2222-2222-2222-222222222222'),
  secrets: key('33333333-3333-3333-3333-333333333333'),
} as const;

/** An environment's config parsed through the real schema, after `edit` changed a copy of its input. */
export function configOf(
  name: Parameters<typeof envInput>[0] = 'dev',
  edit: (input: any) => void = () => {},
): EnvironmentConfig {
  const input = envInput(name);
  edit(input);
  return parseEnvironmentConfig(input);
}

export interface Bare {
  readonly stack: StableAddressStack;
  readonly naming: Naming;
  readonly config: EnvironmentConfig;
  /** The environment's log settings, with the literal logs key. */
  readonly logs: LogSettings;
  /** A security group standing for a client of the construct under test (the ALB, the bastion, ...). */
  group(id: string, name: string): OwnedSecurityGroup;
  /** The stack's log archive at its platform address (`LoadBalancer_AccessLogs...`). */
  logArchive(): LogArchive;
  /** The provider of another region, as the platform adds it for `recovery.region` (strategy 'backup-restore'). */
  regionalProvider(alias: string, region: string): ReturnType<typeof regionalProvider>;
  synth(): Synthesized;
}

/** A bare stack for one environment's config: provider, tags, naming and nothing else. */
export function bareStack(config: EnvironmentConfig = configOf('dev')): Bare {
  const stack = new StableAddressStack(Testing.app(), 'bare');
  const { accountId, region } = config;
  const tags = standardTags({ project: PROJECT, environment: config.name, extra: config.tags });
  configureAws(stack, { region, accountId, tags });
  const naming = new Naming({ project: PROJECT, environment: config.name, accountId, region });
  let archive: LogArchive | undefined;
  return {
    stack,
    naming,
    config,
    logs: { retentionDays: config.logs.retentionDays, kmsKeyArn: KEYS.logs },
    group: (id, name) => new OwnedSecurityGroup(stack, id, { vpcId: VPC, name, description: name }),
    logArchive() {
      if (!archive) {
        stack.keepAddress('LogArchive', ['LoadBalancer']);
        archive = new LogArchive(stack, 'LogArchive', {
          naming,
          accountId,
          retentionDays: config.alb.accessLogRetentionDays,
        });
      }
      return archive;
    },
    regionalProvider: (alias, other) => regionalProvider(stack, alias, { region: other, accountId, tags }),
    synth: () => synth(stack),
  };
}

/** Resources of a type whose logical id starts with `prefix`. */
export function byPrefix(out: Synthesized, type: string, prefix: string): any[] {
  return out
    .resources(type)
    .filter(([id]) => id.startsWith(prefix))
    .map(([, r]) => r);
}

/**
 * Exposes what a data layer hands a service (environment, secrets, statements; peers as their
 * groups' ids) as a stack output, so a test reads it with Terraform references resolved.
 */
export function bindingsOutput(stack: StableAddressStack, id: string, b: ServiceBindings): void {
  new TerraformOutput(stack, id, {
    value: {
      environment: b.environment,
      secrets: b.secrets,
      statements: b.statements,
      peers: b.peers.map((p) => ({ group: p.securityGroup.id, port: p.port, description: p.description })),
    },
  });
}

/** A dependable that stands for a resource of another layer (a listener, a rule) by its address. */
export function dependable(fqn: string): ITerraformDependable {
  return { fqn };
}
