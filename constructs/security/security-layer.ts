import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { Layer } from '../core/addresses';
import type { Naming } from '../core/naming';
import { PlatformKeys } from './platform-keys';

export interface SecurityLayerProps {
  readonly naming: Naming;
  readonly accountId: string;
  readonly region: string;
  /** Break-glass admins: the only principals that may destroy the data key. */
  readonly adminPrincipalArns: readonly string[];
}

/**
 * The environment's security layer: its KMS keys by purpose (data, logs, secrets). Account-wide
 * guardrails (GuardDuty, Config, CloudTrail) live in the account's baseline stack.
 */
export class SecurityLayer extends Layer {
  readonly keys: PlatformKeys;

  constructor(scope: Construct, id: string, props: SecurityLayerProps) {
    super(scope, id);
    this.keys = new PlatformKeys(this, 'Keys', props);
    new TerraformOutput(this, 'kms_key_arns', {
      value: { data: this.keys.data.arn, logs: this.keys.logs.arn, secrets: this.keys.secrets.arn },
      description: 'KMS key ARNs by purpose',
    });
  }
}
