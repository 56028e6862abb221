/**
 * What the plan roles lose of ReadOnlyAccess (pure: no resources): data reads, and anything tagged
 * with another environment (docs/architecture.md, "Security model").
 */
import type { PolicyStatement } from '../core/iam';
import { replicaOwnObjectArns, type StateAccess, stateObjectArns } from './state-policies';

/**
 * Plan roles keep ReadOnlyAccess (Terraform refreshes every attribute of every resource type; a
 * hand-written read list would break each new layer's plan) and lose what reads data, not
 * configuration. Parameter Store SecureStrings stay unreadable through `NoDecryption`.
 */
export function planDataDenyStatements(state: StateAccess): PolicyStatement[] {
  return [
    {
      Sid: 'NoObjectReads',
      Effect: 'Deny',
      Action: [
        's3:GetObject',
        's3:GetObjectVersion',
        's3:GetObjectTorrent',
        's3:GetObjectVersionTorrent',
        's3:GetObjectVersionForReplication',
      ],
      NotResource: [...stateObjectArns(state), ...replicaOwnObjectArns(state, false)],
    },
    // Items: only the lock table's (and of those only its own digests: OnlyOwnLockItems); no
    // query or scan of any table, the lock table's included (it names every stack's lock).
    { Sid: 'NoItemReads', Effect: 'Deny', Action: 'dynamodb:GetItem', NotResource: state.lockTableArn },
    {
      Sid: 'NoTableReads',
      Effect: 'Deny',
      Action: [
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:GetRecords',
        'dynamodb:PartiQLSelect',
      ],
      Resource: '*',
    },
    {
      Sid: 'NoSecretsOrLogsOrMessages',
      Effect: 'Deny',
      Action: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:BatchGetSecretValue',
        'logs:GetLogEvents',
        'logs:FilterLogEvents',
        'logs:StartQuery',
        'logs:GetQueryResults',
        'logs:GetLogRecord',
        'logs:StartLiveTail',
        'logs:Unmask',
        'logs:ListAnomalies',
        'rds:DownloadDBLogFilePortion',
        'rds:DownloadCompleteDBLogFile',
        'sqs:ReceiveMessage',
        'kinesis:GetRecords',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchGetImage',
        'athena:GetQueryResults',
        'rds-data:ExecuteStatement',
      ],
      Resource: '*',
    },
    {
      // No Terraform refresh makes these: they return users, traces (request data), command and
      // console output, sampled requests, function executions.
      Sid: 'NoUsersTracesOrOutput',
      Effect: 'Deny',
      Action: [
        'cognito-idp:ListUsers',
        'cognito-idp:ListUsersInGroup',
        'cognito-idp:AdminGetUser',
        'cognito-idp:AdminGetUserAuthFactors',
        'cognito-idp:AdminListGroupsForUser',
        'cognito-idp:AdminListDevices',
        'cognito-idp:AdminGetDevice',
        'cognito-idp:AdminListUserAuthEvents',
        'cognito-identity:ListIdentities',
        'cognito-identity:DescribeIdentity',
        'cognito-identity:LookupDeveloperIdentity',
        'xray:BatchGetTraces',
        'xray:BatchGetTraceSummaryById',
        'xray:GetTraceSummaries',
        'xray:GetTraceGraph',
        'xray:StartTraceRetrieval',
        'xray:ListRetrievedTraces',
        'xray:GetRetrievedTracesGraph',
        'ec2:GetConsoleOutput',
        'ec2:GetConsoleScreenshot',
        'ec2:GetPasswordData',
        'ec2:GetLaunchTemplateData',
        'ssm:GetCommandInvocation',
        'ssm:ListCommandInvocations',
        'wafv2:GetSampledRequests',
        'wafv2:GetDecryptedAPIKey',
        'lambda:GetDurableExecution',
        'lambda:GetDurableExecutionHistory',
        'lambda:GetDurableExecutionState',
      ],
      Resource: '*',
    },
    {
      // Only S3 may decrypt with a key for a plan role: the state object (the one object it may read),
      // in the state's region or, with a replica, the recovery region's.
      Sid: 'NoDecryption',
      Effect: 'Deny',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringNotEquals: {
          'kms:ViaService': [
            `s3.${state.region}.amazonaws.com`,
            ...(state.replica ? [`s3.${state.replica.region}.amazonaws.com`] : []),
          ],
        },
      },
    },
  ];
}

/**
 * A plan role's environment fence, as its apply role's (`OtherEnvironmentsResources` of
 * environmentFenceStatements): nothing tagged with another environment (or `account`) is read. Some
 * reads a refresh makes return data too (a function's code location, an instance's user data):
 * they stay for its own resources and end at another environment's. Reads that take only `"*"`
 * (a launch template version's user data, a task definition) are beyond any tag. The state bucket,
 * lock table and key (tagged `account`) are `exempt` for an environment's plan role.
 */
export function planFenceStatements(tag: string, exempt: readonly string[]): PolicyStatement[] {
  return [
    {
      Sid: 'OtherEnvironmentsResources',
      Effect: 'Deny',
      Action: '*',
      ...(exempt.length > 0 ? { NotResource: [...exempt] } : { Resource: '*' }),
      Condition: {
        StringNotEquals: { 'aws:ResourceTag/Environment': tag },
        Null: { 'aws:ResourceTag/Environment': 'false' },
      },
    },
  ];
}
