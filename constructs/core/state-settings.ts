/**
 * The state bucket's settings that only the account's administrators and its account-apply role may
 * change: the state stack's bucket policy denies them to everyone else (constructs/state/), and the
 * pipeline boundary denies them to every other pipeline role (constructs/delivery/boundaries.ts).
 */
export const STATE_BUCKET_SETTINGS_ACTIONS = [
  's3:DeleteBucket',
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:PutBucketOwnershipControls',
  's3:PutBucketPolicy',
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketVersioning',
  's3:PutEncryptionConfiguration',
  's3:PutLifecycleConfiguration',
  // Replication copies every state version elsewhere: only the state stack's own (state-replica.ts).
  's3:PutReplicationConfiguration',
];
