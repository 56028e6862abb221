import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import type { Naming } from '../core/naming';

/** The Terraform variable the master password comes in by (`TF_VAR_db_master_password`). */
export const MASTER_PASSWORD_VARIABLE = 'db_master_password';

export interface MasterCredentialProps {
  readonly naming: Naming;
  /** The master user name: the secret holds it beside the password (`username`), as RDS-managed ones do. */
  readonly username: string;
  /** Bumped to write a new password (`database.masterPasswordVersion`). */
  readonly version: number;
  /** The key the secret is encrypted with (the environment's secrets key). */
  readonly secretsKmsKeyArn: string;
}

/**
 * The database master credential (docs/architecture.md, "Master credentials"): the password comes in
 * as an ephemeral, sensitive Terraform variable (`TF_VAR_db_master_password`, on an operator's machine
 * only: CI refuses plans that would write it, scripts/workflows/master-password-guard.ts) and reaches
 * the database through its write-only argument (`password_wo` / `master_password_wo`), applied only
 * when the database is created or `version` changes: it is in no plan, no state and no synthesized
 * JSON. The operator writes the same value into this secret (`aws secretsmanager put-secret-value`,
 * docs/runbooks.md, "Rotate the master password"): Terraform keeps only the secret, not its value,
 * because provider 5.100 reads a write-only secret version back on every refresh (GetSecretValue),
 * which the plan roles may not do. Unlike an RDS-managed secret (`manage_master_user_password`), this
 * model allows read replicas and Aurora global databases. The secret is `{"username", "password"}`,
 * the shape the bootstrap reads.
 */
export class MasterCredential extends Construct {
  /** The password as Terraform sees it: an ephemeral value, only for write-only arguments. */
  readonly password: string;
  readonly version: number;
  readonly secret: SecretsmanagerSecret;
  readonly secretArn: string;

  constructor(scope: Construct, id: string, props: MasterCredentialProps) {
    super(scope, id);
    // Unset (null, or the empty string an unset GitHub secret gives) is fine for every apply that
    // neither creates the database nor raises the version: write-only values are sent only then.
    const given = `(var.${MASTER_PASSWORD_VARIABLE} != null && var.${MASTER_PASSWORD_VARIABLE} != "")`;
    const variable = new TerraformVariable(this, 'Password', {
      type: 'string',
      sensitive: true,
      nullable: true,
      description:
        'Database master password: set (TF_VAR_db_master_password) when creating the database or after raising database.masterPasswordVersion; write-only, never stored',
      validation: [
        {
          condition: `\${${given} ? can(regex("^[A-Za-z0-9_+=,.-]{16,41}$", var.${MASTER_PASSWORD_VARIABLE})) : true}`,
          errorMessage:
            'db_master_password: 16 to 41 characters of letters, digits and _+=,.- (RDS rejects / @ " and spaces; MySQL allows at most 41)',
        },
      ],
    });
    variable.overrideLogicalId(MASTER_PASSWORD_VARIABLE);
    // Terraform 1.10+: the value is never persisted; cdktf's variable has no field for it yet.
    variable.addOverride('ephemeral', true);
    variable.addOverride('default', null);
    const value = `var.${MASTER_PASSWORD_VARIABLE}`;
    // Never null: the provider wants the write-only value beside its version. Unset, it is empty:
    // CI never applies a change that writes it (the guard), and by hand the runbook sets it.
    this.password = `\${${value} == null ? "" : ${value}}`;
    this.version = props.version;
    this.secret = new SecretsmanagerSecret(this, 'Secret', {
      name: props.naming.name('db-master'),
      description: `Database master credential {"username": "${props.username}", "password"}, written by the operator: the platform bootstrap and break-glass only`,
      kmsKeyId: props.secretsKmsKeyArn,
      recoveryWindowInDays: 30,
    });
    this.secretArn = this.secret.arn;
  }
}
