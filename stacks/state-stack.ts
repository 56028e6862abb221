import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { StateBackend } from '../constructs/state/state-backend';
import { standardTags } from '../constructs/tagging';
import type { AccountConfig, EnvironmentConfig } from '../environments/schema';
import { configureAws } from './aws';
import { s3Backend } from './backend';

export interface StateStackProps {
  /** Account slug from accounts.ts, used in the stack name and the state key. */
  readonly accountSlug: string;
  readonly account: AccountConfig;
  /** Project and state settings come from the account's environments (which agree on them). */
  readonly project: string;
  readonly state: EnvironmentConfig['state'];
}

/**
 * `state-<account>`: the bootstrap stack. It creates the bucket, lock table and key every other stack
 * of the account keeps its state in. Its own state starts local (nothing exists yet to hold it) and
 * moves into the bucket once `account.stateBackend` is `s3` (README: "Bootstrap").
 */
export class StateStack extends TerraformStack {
  readonly backend: StateBackend;

  constructor(scope: Construct, id: string, props: StateStackProps) {
    super(scope, id);
    const { account, state } = props;
    configureAws(this, {
      region: state.region,
      accountId: account.accountId,
      tags: standardTags({ project: props.project, environment: 'account' }),
    });

    if (account.stateBackend === 's3') {
      s3Backend(this, state, `${props.project}/accounts/${props.accountSlug}/state.tfstate`);
    } else {
      // Relative to cdktf.out/stacks/<stack>: the file lives in the repository root (git-ignored),
      // so a fresh synth does not lose it.
      new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    }

    this.backend = new StateBackend(this, 'StateBackend', {
      accountId: account.accountId,
      bucketName: state.bucket,
      lockTableName: state.lockTable,
      kmsKeyAlias: state.kmsKeyAlias,
      allowedPrincipalArns: account.adminPrincipalArns,
    });

    new TerraformOutput(this, 'state_bucket', { value: this.backend.bucket.name });
    new TerraformOutput(this, 'lock_table', { value: this.backend.lockTable.name });
    new TerraformOutput(this, 'state_kms_key_arn', { value: this.backend.key.arn });
  }
}
