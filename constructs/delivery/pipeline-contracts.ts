/**
 * The role contracts (constructs/core/role-contract.ts) of the pipeline roles the state stack creates
 * (pure: no resources). Each must-allow names its caller: the generated workflow's job and step and
 * the `aws` CLI call or Terraform operation there (a test maps every `aws` call of the workflows to a
 * must-allow of the role its job assumes: __tests__/workflows/workflows-contracts.spec.ts). Must-denies: another
 * environment's state and lock, another family or service, roles outside the role's own, escalation;
 * trust denies: the same names from another repository id, a pull request's ref, the token of the
 * service's other role.
 */
export { accountApplyContract } from './contracts/account-apply';
export type { ApplyIam } from './contracts/apply-iam';
export { STEPS, workflowStep, type ContractScope } from './contracts/common';
export { migrateContract } from './contracts/migrate';
export { failureNotificationRequests, type NotifyStep, withFailureNotification } from './contracts/notify';
export { environmentApplyContract } from './contracts/environment-apply';
export { planContract } from './contracts/plan';
export { serviceDeployContract, siteDeployContract, type ServiceScope } from './contracts/deploy';
