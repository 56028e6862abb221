/**
 * The master password never reaches CI (docs/architecture.md, "Master credentials"): a plan that
 * would write it — creating (or replacing) a database or raising `database.masterPasswordVersion` —
 * is refused by the deploy workflow's plan job, with
 * what to do instead. The operator applies that change by hand with `TF_VAR_db_master_password`
 * (docs/runbooks.md, "Rotate the master password"); later plans no longer carry it.
 */
import type { Step } from './common';

/** The write-only version attributes the platform sets (data/master-credential.ts). */
const VERSION_ATTRIBUTES = ['password_wo_version', 'master_password_wo_version'];

/**
 * jq over `terraform show -json <plan>`: one line `<address>: <attribute>` per planned write of the
 * master password: a version set after the change that differs from before (a bump, a creation) or
 * a database the plan creates (a replacement, at the same version, creates it too).
 */
export const MASTER_PASSWORD_WRITES_JQ = [
  '.resource_changes[]? | .address as $address | (.change.actions // []) as $actions',
  '| (.change.before // {}) as $before | (.change.after // {}) as $after',
  `| ${JSON.stringify(VERSION_ATTRIBUTES)}[] as $key`,
  '| select($after[$key] != null and ($after[$key] != $before[$key] or ($actions | index("create"))))',
  '| "\\($address): \\($key)"',
].join(' ');

/** The plan job's step: fails with the writes it found and the runbook's name. */
export function masterPasswordGuard(planShowJson: string): Step {
  return {
    name: 'Refuse a plan that would write the database master password (it never reaches CI)',
    run: [
      'set -euo pipefail',
      `writes=$(${planShowJson} | jq -r '${MASTER_PASSWORD_WRITES_JQ}')`,
      'if [ -n "$writes" ]; then',
      '  echo "::error::This plan writes the database master password, which CI never holds:"',
      '  echo "$writes"',
      '  echo "Apply it by hand with the db_master_password variable set (docs/runbooks.md, \\"Rotate the master password\\"); then run this deploy again."',
      '  exit 1',
      'fi',
    ].join('\n'),
  };
}
