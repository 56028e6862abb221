/** Resource types that hold data or identity: replacing one loses data or breaks every client. */
export const STATEFUL_TYPES = [
  'aws_db_instance',
  'aws_rds_cluster',
  'aws_rds_cluster_instance',
  'aws_elasticache_replication_group',
  'aws_dynamodb_table',
  // A table's replica in the recovery region (data/table-replication.ts): its copy of the data.
  'aws_dynamodb_table_replica',
  'aws_s3_bucket',
  'aws_kms_key',
  'aws_backup_vault',
  'aws_ecr_repository',
  'aws_route53_zone',
  'aws_cloudtrail',
  'aws_guardduty_detector',
  'aws_msk_cluster',
  'aws_msk_serverless_cluster',
  'aws_eks_cluster',
  // Replacing a user pool loses every user and password; an identity pool, every identity id.
  'aws_cognito_user_pool',
  'aws_cognito_identity_pool',
] as const;
