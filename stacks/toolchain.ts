/**
 * The Terraform side of the toolchain, in one place for the stacks, the workflow generator and the
 * offline proof: the Terraform release CI installs, the `required_version` every stack declares, and
 * the committed dependency lock file of the AWS provider that is placed in a stack's directory
 * before every `terraform init` (README, "Pinned dependencies").
 */

/** The Terraform release the workflows install (hashicorp/setup-terraform) and the stacks are proven with. */
export const TERRAFORM_VERSION = '1.11.4';

/** Every stack's `terraform.required_version`: the patch releases of TERRAFORM_VERSION's minor (`~> 1.11.0`). */
export const TERRAFORM_REQUIRED_VERSION = `~> ${TERRAFORM_VERSION.split('.').slice(0, 2).join('.')}.0`;

/**
 * The dependency lock file of hashicorp/aws (the version the provider bindings are generated for,
 * with its package hashes), committed at the repository root under this name: `terraform init` in a
 * stack's directory installs exactly the provider it locks (`-lockfile=readonly`).
 */
export const PROVIDER_LOCK_FILE = '.terraform.lock.hcl';
