/**
 * Values the mock provider returns for computed attributes that the real provider validates when
 * they flow into other resources' arguments (ARNs, JSON documents, nested blocks). Without them the
 * mock fills in random strings and the mock apply fails on arguments, not on the stack.
 */
const ACCOUNT = '111111111111';
const ARN = (service: string, resource: string, region = 'us-east-1') =>
  `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;

export const MOCK_RESOURCE_DEFAULTS: Record<string, Record<string, unknown>> = {
  aws_iam_role: { arn: `arn:aws:iam::${ACCOUNT}:role/mock` },
  aws_iam_policy: { arn: `arn:aws:iam::${ACCOUNT}:policy/mock` },
  aws_iam_instance_profile: { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/mock` },
  aws_iam_openid_connect_provider: {
    arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
  },
  aws_kms_key: {
    arn: ARN('kms', 'key/00000000-0000-0000-0000-000000000000'),
    key_id: '00000000-0000-0000-0000-000000000000',
  },
  aws_s3_bucket: {
    arn: 'arn:aws:s3:::mock-bucket',
    bucket_regional_domain_name: 'mock-bucket.s3.us-east-1.amazonaws.com',
  },
  aws_cloudwatch_log_group: { arn: ARN('logs', 'log-group:mock') },
  aws_sns_topic: { arn: ARN('sns', 'mock-topic') },
  // A scaling policy is the action of its scale-in alarm (compute/fargate-service.ts stepScaleIn).
  aws_appautoscaling_policy: {
    arn: ARN(
      'autoscaling',
      'scalingPolicy:00000000-0000-0000-0000-000000000000:resource/ecs/service/mock/mock:policyName/mock',
    ),
  },
  aws_sqs_queue: {
    arn: ARN('sqs', 'mock-queue'),
    url: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/mock-queue`,
  },
  aws_lb: {
    arn: ARN('elasticloadbalancing', 'loadbalancer/app/mock/0123456789abcdef'),
    arn_suffix: 'app/mock/0123456789abcdef',
    zone_id: 'Z35SXDOTRQ7X7K',
    dns_name: 'mock-123.us-east-1.elb.amazonaws.com',
  },
  aws_lb_target_group: {
    arn: ARN('elasticloadbalancing', 'targetgroup/mock/0123456789abcdef'),
    arn_suffix: 'targetgroup/mock/0123456789abcdef',
  },
  aws_lb_listener: {
    arn: ARN('elasticloadbalancing', 'listener/app/mock/0123456789abcdef/0123456789abcdef'),
  },
  aws_acm_certificate: {
    arn: ARN('acm', 'certificate/00000000-0000-0000-0000-000000000000'),
    domain_validation_options: [
      {
        domain_name: 'example.com',
        resource_record_name: '_x.example.com.',
        resource_record_type: 'CNAME',
        resource_record_value: '_y.acm-validations.aws.',
      },
    ],
  },
  aws_acm_certificate_validation: {
    certificate_arn: ARN('acm', 'certificate/00000000-0000-0000-0000-000000000000'),
  },
  aws_wafv2_web_acl: { arn: ARN('wafv2', 'regional/webacl/mock/00000000-0000-0000-0000-000000000000') },
  aws_ecs_cluster: { arn: ARN('ecs', 'cluster/mock') },
  // EKS and MSK (compute.platform eks, messaging.kafka).
  aws_eks_cluster: {
    arn: ARN('eks', 'cluster/mock'),
    certificate_authority: [{ data: 'bW9jaw==' }],
    endpoint: 'https://MOCK.gr7.us-east-1.eks.amazonaws.com',
  },
  aws_msk_configuration: {
    arn: ARN('kafka', 'configuration/mock/00000000-0000-0000-0000-000000000000-1'),
    latest_revision: 1,
  },
  aws_msk_cluster: {
    arn: ARN('kafka', 'cluster/mock/00000000-0000-0000-0000-000000000000-1'),
    bootstrap_brokers_sasl_iam: 'b-1.mock.kafka.us-east-1.amazonaws.com:9098',
    cluster_uuid: '00000000-0000-0000-0000-000000000000-1',
  },
  aws_msk_serverless_cluster: {
    arn: ARN('kafka', 'cluster/mock/00000000-0000-0000-0000-000000000000-s1'),
    bootstrap_brokers_sasl_iam: 'boot-mock.c1.kafka-serverless.us-east-1.amazonaws.com:9098',
  },
  aws_ecs_task_definition: {
    arn: ARN('ecs', 'task-definition/mock:1'),
    arn_without_revision: ARN('ecs', 'task-definition/mock'),
  },
  aws_ecs_service: { id: ARN('ecs', 'service/mock/mock') },
  aws_ecr_repository: {
    arn: ARN('ecr', 'repository/mock'),
    repository_url: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/mock`,
  },
  aws_secretsmanager_secret: { arn: ARN('secretsmanager', 'secret:mock-AbCdEf') },
  aws_dynamodb_table: { arn: ARN('dynamodb', 'table/mock') },
  aws_db_instance: {
    arn: ARN('rds', 'db:mock'),
    master_user_secret: [
      {
        kms_key_id: 'mock',
        secret_arn: ARN('secretsmanager', 'secret:rds!db-mock-AbCdEf'),
        secret_status: 'active',
      },
    ],
  },
  aws_rds_cluster: {
    arn: ARN('rds', 'cluster:mock'),
    master_user_secret: [
      {
        kms_key_id: 'mock',
        secret_arn: ARN('secretsmanager', 'secret:rds!cluster-mock-AbCdEf'),
        secret_status: 'active',
      },
    ],
  },
  aws_elasticache_replication_group: { arn: ARN('elasticache', 'replicationgroup:mock') },
  aws_cloudtrail: { arn: ARN('cloudtrail', 'trail/mock') },
  aws_backup_vault: { arn: ARN('backup', 'backup-vault:mock') },
  aws_lambda_function: {
    arn: ARN('lambda', 'function:mock'),
    invoke_arn: 'arn:aws:apigateway:us-east-1:lambda:path/mock',
  },
  // The static frontend (us-east-1 resources; CloudFront ARNs have no region).
  aws_cloudfront_distribution: {
    arn: `arn:aws:cloudfront::${ACCOUNT}:distribution/EMOCK0000000`,
    id: 'EMOCK0000000',
    domain_name: 'd111111abcdef8.cloudfront.net',
    hosted_zone_id: 'Z2FDTNDATAQYW2',
  },
  aws_cloudfront_function: { arn: `arn:aws:cloudfront::${ACCOUNT}:function/mock` },
  aws_cloudfront_vpc_origin: {
    arn: `arn:aws:cloudfront::${ACCOUNT}:vpcorigin/vo_mock`,
    id: 'vo_mock',
  },
  aws_cloudwatch_log_delivery_source: { arn: ARN('logs', 'delivery-source:mock') },
  aws_cloudwatch_log_delivery_destination: { arn: ARN('logs', 'delivery-destination:mock') },
  aws_route53_zone: { zone_id: 'Z0123456789MOCK', name_servers: ['ns-1.awsdns-00.org'] },
  aws_launch_template: { id: 'lt-0123456789abcdef0' },
  aws_vpc: {
    id: 'vpc-0123456789abcdef0',
    ipv6_cidr_block: '2600:1f18:1234:5600::/56',
    default_network_acl_id: 'acl-0123456789abcdef0',
  },
  aws_config_configuration_recorder: { id: 'default' },
  aws_cognito_user_pool: {
    id: 'us-east-1_Mock12345',
    arn: ARN('cognito-idp', 'userpool/us-east-1_Mock12345'),
    endpoint: 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Mock12345',
  },
  aws_cognito_user_pool_client: { id: 'mockclientid0123456789abcd' },
  // The user pool's SES sender (identity/ses-sender.ts): the pool's source_arn is the verification's.
  aws_ses_domain_identity: {
    arn: ARN('ses', 'identity/example.com'),
    verification_token: 'mockverificationtoken',
  },
  aws_ses_domain_identity_verification: { arn: ARN('ses', 'identity/example.com') },
  aws_ses_domain_dkim: { dkim_tokens: ['mockdkim1', 'mockdkim2', 'mockdkim3'] },
  aws_cognito_identity_pool: {
    id: 'us-east-1:00000000-0000-0000-0000-000000000000',
    arn: ARN('cognito-identity', 'identitypool/us-east-1:00000000-0000-0000-0000-000000000000'),
  },
};

export const MOCK_DATA_DEFAULTS: Record<string, Record<string, unknown>> = {
  aws_iam_policy_document: { json: '{"Version":"2012-10-17","Statement":[]}' },
  aws_partition: { partition: 'aws', dns_suffix: 'amazonaws.com' },
  aws_region: { name: 'us-east-1' },
};
