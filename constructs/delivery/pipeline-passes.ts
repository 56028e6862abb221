/**
 * The PassRole tables of the GitHub pipeline (github-oidc.ts): the baseline stack's roles and the
 * service each is passed to, and the Terraform type that passes a role to each service.
 */
import { PASSED_TO_SERVICES } from './stack-services';

/** The roles of the baseline stack (`<project>-<component>`), the account apply role's to manage. */
export const BASELINE_ROLE_COMPONENTS = ['cloudtrail-logs', 'config', 'state-replication'] as const;
/** The service each baseline role is passed to: the trail's log delivery, the Config recorder. */
export const BASELINE_PASSED_TO = {
  'cloudtrail-logs': 'cloudtrail.amazonaws.com',
  config: 'config.amazonaws.com',
  // The state bucket's replication (state stack, constructs/state/state-replica.ts).
  'state-replication': 's3.amazonaws.com',
} as const satisfies Record<(typeof BASELINE_ROLE_COMPONENTS)[number], string>;
export const BASELINE_PASSED_TO_SERVICES = Object.values(BASELINE_PASSED_TO);
/** The Terraform type that passes a role to each service (what a contract's PassRole names as caller). */
const PASSED_BY: Record<(typeof PASSED_TO_SERVICES)[number], string> = {
  'backup.amazonaws.com': 'aws_backup_selection (iam_role_arn)',
  'cloudtrail.amazonaws.com': 'aws_cloudtrail (cloud_watch_logs_role_arn)',
  'codedeploy.amazonaws.com': 'aws_codedeploy_deployment_group (service_role_arn)',
  'cognito-identity.amazonaws.com': 'aws_cognito_identity_pool_roles_attachment',
  'config.amazonaws.com': 'aws_config_configuration_recorder (role_arn)',
  'ec2.amazonaws.com': 'aws_instance / aws_launch_template (iam_instance_profile)',
  'ecs-tasks.amazonaws.com': 'aws_ecs_task_definition (task_role_arn, execution_role_arn)',
  'eks.amazonaws.com': 'aws_eks_cluster (role_arn)',
  'events.amazonaws.com': 'aws_cloudwatch_event_target (role_arn)',
  'lambda.amazonaws.com': 'aws_lambda_function (role)',
  'monitoring.rds.amazonaws.com': 'aws_db_instance (monitoring_role_arn)',
  'pods.eks.amazonaws.com': 'aws_eks_pod_identity_association (role_arn)',
  'rds.amazonaws.com': 'aws_db_proxy (role_arn)',
  's3.amazonaws.com': 'aws_s3_bucket_replication_configuration (role)',
  'vpc-flow-logs.amazonaws.com': 'aws_flow_log (iam_role_arn)',
};
/** Each of `services` with the Terraform type that passes a role to it. */
export const passes = (services: readonly (typeof PASSED_TO_SERVICES)[number][]) =>
  Object.fromEntries(services.map((svc) => [svc, PASSED_BY[svc]]));
