/**
 * What a pipeline role may do with the Terraform state (pure: no resources): exactly its own state
 * objects and lock items, an allow-list (docs/architecture.md, "Security model").
 */
import type { PolicyStatement } from '../core/iam';
import {
  replicaLockObjectArns,
  replicaObjectArns,
  replicaReadStatements,
  replicaWriteStatements,
  type StateReplicaAccess,
} from './state-replica-access';

/**
 * The state a role may use: exactly its stacks' state objects (an allow-list: every other key of the
 * account's bucket, present or future, is out of reach) and their lock items.
 */
export interface StateAccess {
  readonly bucketArn: string;
  readonly lockTableArn: string;
  /** The state key's ARN (a token: the key id is AWS's). */
  readonly kmsKeyArn: string;
  readonly region: string;
  /** Bucket name: lock-table items are keyed `<bucket>/<state key>` (and `<bucket>/<state key>-md5`). */
  readonly bucket: string;
  /** The state object keys of the role's stacks: `<project>/<env>/terraform.tfstate`. */
  readonly keys: readonly string[];
  /** Terraform's S3-native lock objects (`<key>.tflock`, `state.useLockfile`) beside the lock items. */
  readonly lockfile: boolean;
  /**
   * The account's state replica (a recovery region, state-replica-access.ts): the same keys there,
   * with their `.tflock` objects, for a run during a regional outage. Absent: no replica.
   */
  readonly replica?: StateReplicaAccess;
}

export const LOCK_ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'];

/** The state objects' ARNs. */
export const stateObjectArns = (state: StateAccess) => state.keys.map((k) => `${state.bucketArn}/${k}`);
/** The S3-native lock objects' ARNs (none without `useLockfile`). */
export const lockObjectArns = (state: StateAccess) =>
  state.lockfile ? state.keys.map((k) => `${state.bucketArn}/${k}.tflock`) : [];
/** The role's objects in the replica, its state and (apply roles) their `.tflock` objects; none without one. */
export const replicaOwnObjectArns = (state: StateAccess, locks: boolean) =>
  state.replica
    ? [
        ...replicaObjectArns(state.replica, state.keys),
        ...(locks ? replicaLockObjectArns(state.replica, state.keys) : []),
      ]
    : [];
/** The account's state resources (tagged `account`) a role uses for state only: with a replica, its bucket and key too. */
export const stateResourceArns = (state: StateAccess) => [
  state.bucketArn,
  state.lockTableArn,
  state.kmsKeyArn,
  ...(state.replica ? [state.replica.bucketArn, state.replica.kmsKeyArn] : []),
];
/** The lock table's items of the role's keys: the lock (`<bucket>/<key>`) and the digest (`-md5`). */
export const lockItems = (state: StateAccess) =>
  state.keys.flatMap((k) => [`${state.bucket}/${k}`, `${state.bucket}/${k}-md5`]);
/** The digest items only: what a plan without a lock reads. */
export const digestItems = (state: StateAccess) => state.keys.map((k) => `${state.bucket}/${k}-md5`);

/** Only the given lock items of the table: the S3 backend's GetItem/PutItem/DeleteItem name one each. */
/** Item calls the S3 backend never makes: no query, scan, batch or in-place update of any lock item. */
const noOtherItemCalls = (state: StateAccess): PolicyStatement => ({
  Sid: 'NoOtherLockItemCalls',
  Effect: 'Deny',
  Action: [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:UpdateItem',
    'dynamodb:PartiQL*',
  ],
  Resource: state.lockTableArn,
});

const onlyItems = (state: StateAccess, items: readonly string[]): PolicyStatement => ({
  Sid: 'OnlyOwnLockItems',
  Effect: 'Deny',
  Action: LOCK_ITEM_ACTIONS,
  Resource: state.lockTableArn,
  Condition: { 'ForAnyValue:StringNotEquals': { 'dynamodb:LeadingKeys': [...items] } },
});

/**
 * Read the role's own state (plan roles: they plan with `-lock=false`; a pull request's plan must
 * not be able to take or break the lock of an apply in progress): list the bucket (workspaces), get
 * its state objects, decrypt them, and read their digest items (the S3 backend's consistency check).
 */
export function stateReadStatements(state: StateAccess): PolicyStatement[] {
  return [
    // Listing shows key names only; Terraform lists workspaces outside the state prefix (`env:/`).
    { Sid: 'StateList', Effect: 'Allow', Action: 's3:ListBucket', Resource: state.bucketArn },
    { Sid: 'StateRead', Effect: 'Allow', Action: 's3:GetObject', Resource: stateObjectArns(state) },
    { Sid: 'StateDigest', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: state.lockTableArn },
    onlyItems(state, digestItems(state)),
    noOtherItemCalls(state),
    { Sid: 'StateKey', Effect: 'Allow', Action: 'kms:Decrypt', Resource: state.kmsKeyArn },
    ...(state.replica ? replicaReadStatements(state.replica, state.keys) : []),
  ];
}

/**
 * Read, lock and write the role's own state (apply roles): the lock and digest items, the state
 * objects (and with `useLockfile` their `.tflock` objects), encrypted with the state key.
 */
export function stateWriteStatements(state: StateAccess): PolicyStatement[] {
  const lockObjects = lockObjectArns(state);
  return [
    { Sid: 'StateList', Effect: 'Allow', Action: 's3:ListBucket', Resource: state.bucketArn },
    {
      Sid: 'StateReadWrite',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: stateObjectArns(state),
    },
    ...(lockObjects.length > 0
      ? [
          {
            Sid: 'StateLockObjects',
            Effect: 'Allow' as const,
            Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
            Resource: lockObjects,
          },
        ]
      : []),
    {
      // Terraform writes state, never deletes it (PowerUserAccess would let it; the history stays).
      Sid: 'StateStays',
      Effect: 'Deny',
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
      Resource: stateObjectArns(state),
    },
    { Sid: 'StateLock', Effect: 'Allow', Action: LOCK_ITEM_ACTIONS, Resource: state.lockTableArn },
    onlyItems(state, lockItems(state)),
    noOtherItemCalls(state),
    {
      Sid: 'StateKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: state.kmsKeyArn,
    },
    ...(state.replica ? replicaWriteStatements(state.replica, state.keys) : []),
  ];
}
