/**
 * Data: `database` (RDS PostgreSQL/MySQL or Aurora PostgreSQL), `cache` (Redis), `tables` (DynamoDB),
 * `buckets` (S3) and `backup` (the AWS Backup plan over them).
 */
import { z } from './zod';
import { DATABASE_ENGINES, ENGINE_VERSION_HINTS, ENGINE_VERSION_PATTERNS, IMAGE_BY_DIGEST } from '../rules';
import { report } from './errors';

export const databaseSchema = z
  .strictObject({
    engine: z.enum(DATABASE_ENGINES),
    engineVersion: z.string(),
    instanceClass: z
      .string()
      .regex(/^db\.[a-z0-9-]+(\.[a-z0-9]+)?$/, "must be a DB instance class starting with 'db.'"),
    backupRetentionDays: z.number().int().min(1, 'must be 1 to 35 days').max(35, 'must be 1 to 35 days'),
    deletionProtection: z.boolean(),
    skipFinalSnapshot: z.boolean(),
    /** Daily backup window (UTC). Default: 03:00-04:00 (seed 001). */
    backupWindow: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must be hh:mm-hh:mm (UTC)')
      .default('03:00-04:00'),
    /** Weekly maintenance window (UTC). Default: mon:04:00-mon:05:00 (seed 001). */
    maintenanceWindow: z
      .string()
      .regex(
        /^(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d$/,
        'must be ddd:hh:mm-ddd:hh:mm (UTC)',
      )
      .default('mon:04:00-mon:05:00'),
    /**
     * Bumped to rotate the master password: the next apply writes `TF_VAR_db_master_password` to the
     * database and to the platform's master secret (docs/runbooks.md, "Rotate the master password").
     * Default: 1.
     */
    masterPasswordVersion: z.number().int().min(1).default(1),
    /**
     * The SQL client image of the platform's database bootstrap, by digest. Default: the engine's
     * in environments/rules.ts DB_BOOTSTRAP_IMAGES.
     */
    bootstrapImage: z
      .string()
      .regex(IMAGE_BY_DIGEST, 'must be pinned by digest: <repository>[:tag]@sha256:<64 hex digits>')
      .optional(),
    /**
     * The service that owns the tables deployed before each service had its own schema (PostgreSQL:
     * `public`; MySQL: the initial database): the bootstrap moves them into its schema, owned by its
     * migration user (docs/runbooks.md, "Move existing tables to their service's schema"). Default: none.
     */
    legacyTablesOwner: z.string().optional(),
    /**
     * RDS Proxy in front of the database (seed 003's connection pooling): each service's runtime user
     * connects through it by IAM token (TLS required); the proxy signs in to the database with that
     * user's password, which only the proxy's secret holds (docs/architecture.md, "Database proxy").
     * PostgreSQL engines. Default: none.
     */
    proxy: z
      .strictObject({
        /** Share of the database's max_connections the proxy may open. Default: 90. */
        maxConnectionsPercent: z.number().int().min(1).max(100).default(90),
        /** Share of them it keeps open while idle (at most maxConnectionsPercent). Default: 50. */
        maxIdleConnectionsPercent: z.number().int().min(0).max(100).default(50),
        /** A client connection idle this long is closed (seconds). Default: 1800. */
        idleClientTimeoutSeconds: z.number().int().min(1).max(28800).default(1800),
        /** How long a client waits for a pooled connection before an error (seconds). Default: 120. */
        connectionBorrowTimeoutSeconds: z.number().int().min(0).max(3600).default(120),
      })
      .optional(),
    // postgres / mysql
    allocatedStorageGb: z
      .number()
      .int()
      .min(20, 'gp3 needs at least 20 GiB')
      .max(65536, 'at most 65536 GiB')
      .optional(),
    maxAllocatedStorageGb: z.number().int().max(65536, 'at most 65536 GiB').optional(),
    multiAz: z.boolean().optional(),
    readReplicas: z.number().int().min(0).max(5, 'RDS allows at most 5 read replicas here').optional(),
    // aurora-postgresql
    instances: z.number().int().min(1).max(16, 'an Aurora cluster takes at most 16 instances').optional(),
    serverlessV2: z
      .strictObject({
        minCapacity: z.number().min(0).max(256),
        maxCapacity: z.number().min(1).max(256),
      })
      .optional(),
  })
  .superRefine((db, ctx) => {
    if (!ENGINE_VERSION_PATTERNS[db.engine].test(db.engineVersion)) {
      report(
        ctx,
        ['engineVersion'],
        `${db.engineVersion} is not valid for engine ${db.engine}: use ${ENGINE_VERSION_HINTS[db.engine]}`,
      );
    }
    const aurora = db.engine === 'aurora-postgresql';
    if (db.proxy) {
      if (db.engine === 'mysql')
        report(
          ctx,
          ['proxy'],
          'is built for PostgreSQL engines (the bootstrap sets the proxied users’ passwords through psql); use postgres or aurora-postgresql',
        );
      if ((db.readReplicas ?? 0) > 0)
        report(
          ctx,
          ['proxy'],
          'cannot serve read replicas of an RDS instance (RDS Proxy reads only through Aurora readers), and the proxied users cannot sign in to them directly: set readReplicas to 0 or use aurora-postgresql',
        );
      if (db.proxy.maxIdleConnectionsPercent > db.proxy.maxConnectionsPercent)
        report(ctx, ['proxy', 'maxIdleConnectionsPercent'], 'is above maxConnectionsPercent');
    }
    const onlyWith = (field: keyof typeof db, engines: string) => {
      if (db[field] !== undefined) report(ctx, [field], `only applies to ${engines}, not ${db.engine}`);
    };
    if (aurora) {
      for (const f of ['allocatedStorageGb', 'maxAllocatedStorageGb', 'multiAz', 'readReplicas'] as const)
        onlyWith(f, 'postgres and mysql');
      if (db.instances === undefined)
        report(ctx, ['instances'], 'is required for aurora-postgresql (writer + readers)');
      const serverless = db.instanceClass === 'db.serverless';
      if (serverless && !db.serverlessV2)
        report(ctx, ['serverlessV2'], 'is required with instanceClass db.serverless');
      if (!serverless && db.serverlessV2)
        report(ctx, ['instanceClass'], 'must be db.serverless when serverlessV2 is set');
      if (/\.(micro|small)$/.test(db.instanceClass)) {
        report(
          ctx,
          ['instanceClass'],
          `${db.instanceClass} is an RDS class Aurora does not offer; use db.t4g.medium, db.r6g.large, ... or db.serverless`,
        );
      }
      if (db.serverlessV2 && db.serverlessV2.minCapacity > db.serverlessV2.maxCapacity) {
        report(ctx, ['serverlessV2', 'minCapacity'], 'is above maxCapacity');
      }
      if (db.serverlessV2 && (db.serverlessV2.minCapacity * 2) % 1 !== 0) {
        report(ctx, ['serverlessV2', 'minCapacity'], 'must be a multiple of 0.5 ACU');
      }
    } else {
      for (const f of ['instances', 'serverlessV2'] as const) onlyWith(f, 'aurora-postgresql');
      if (db.instanceClass === 'db.serverless')
        report(ctx, ['instanceClass'], 'db.serverless is an Aurora class');
      if (db.allocatedStorageGb === undefined)
        report(ctx, ['allocatedStorageGb'], `is required for ${db.engine}`);
      if (db.multiAz === undefined) report(ctx, ['multiAz'], `is required for ${db.engine}`);
      if (
        db.allocatedStorageGb !== undefined &&
        db.maxAllocatedStorageGb !== undefined &&
        db.maxAllocatedStorageGb < Math.ceil(db.allocatedStorageGb * 1.1)
      ) {
        report(
          ctx,
          ['maxAllocatedStorageGb'],
          `${db.maxAllocatedStorageGb} must be at least 10% above allocatedStorageGb ${db.allocatedStorageGb} for storage autoscaling`,
        );
      }
    }
  });

export const cacheSchema = z
  .strictObject({
    // IAM authentication of the application user (no tokens anywhere) needs Redis 7.
    engineVersion: z
      .string()
      .regex(/^7\.[01]$/, 'must be Redis 7.0 or 7.1 (IAM authentication needs Redis 7)'),
    nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "must be a node type starting with 'cache.'"),
    automaticFailover: z.boolean(),
    snapshotRetentionDays: z.number().int().min(0).max(35, 'ElastiCache keeps snapshots at most 35 days'),
    /** Daily snapshot window (UTC). Default: 03:00-05:00 (seed 001). */
    snapshotWindow: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must be hh:mm-hh:mm (UTC)')
      .default('03:00-05:00'),
    /** Delete without a final snapshot (disposable caches only). Default: false (a final snapshot). */
    skipFinalSnapshot: z.boolean().default(false),
    /** Cluster mode disabled: primary + replicas. */
    numCacheClusters: z.number().int().min(1).max(6, 'a replication group takes at most 6 nodes').optional(),
    /** Cluster mode enabled: shards, each with replicas. */
    clusterMode: z
      .strictObject({
        shards: z.number().int().min(1).max(500),
        replicasPerShard: z.number().int().min(0).max(5),
      })
      .optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.numCacheClusters === undefined) === (c.clusterMode === undefined)) {
      report(
        ctx,
        [],
        'set exactly one of numCacheClusters (cluster mode disabled) or clusterMode.{shards,replicasPerShard}',
      );
      return;
    }
    if (c.automaticFailover) {
      if (c.numCacheClusters !== undefined && c.numCacheClusters < 2) {
        report(
          ctx,
          ['automaticFailover'],
          `needs at least 2 nodes; numCacheClusters is ${c.numCacheClusters}`,
        );
      }
      if (c.clusterMode && c.clusterMode.replicasPerShard < 1) {
        report(ctx, ['automaticFailover'], 'needs at least 1 replica per shard');
      }
    } else if (c.clusterMode) {
      report(ctx, ['automaticFailover'], 'ElastiCache requires automatic failover with cluster mode enabled');
    }
  });

export const tableSchema = z.strictObject({
  partitionKey: z.strictObject({ name: z.string().min(1), type: z.enum(['S', 'N', 'B']) }),
  sortKey: z.strictObject({ name: z.string().min(1), type: z.enum(['S', 'N', 'B']) }).optional(),
  /** Attribute holding an epoch-seconds expiry. Default: no TTL. */
  ttlAttribute: z.string().min(1).optional(),
  /** Default: true. */
  deletionProtection: z.boolean().default(true),
  /** A DynamoDB stream of item changes (what the event processor may consume). Default: none. */
  stream: z.enum(['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY']).optional(),
});

export const bucketSchema = z
  .strictObject({
    /** Versioning keeps overwritten and deleted objects; off only for disposable data. Default: true. */
    versioned: z.boolean().default(true),
    /** Days after which noncurrent versions expire. Default: 90. */
    noncurrentVersionExpirationDays: z.number().int().min(1).default(90),
    /** Storage tiering for data read less over time (logs, backups). Default: none. */
    archive: z
      .strictObject({
        /** Days until objects move to STANDARD_IA (at least 30). */
        infrequentAccessDays: z
          .number()
          .int()
          .min(30, 'S3 moves objects to STANDARD_IA after 30 days at the earliest'),
        /** Days until objects move to GLACIER. Default: none. */
        glacierDays: z.number().int().min(1).optional(),
        /** Days until objects expire. Default: never. */
        expireDays: z.number().int().min(1).optional(),
      })
      .optional(),
    /** Include in AWS Backup (versioned buckets only). Default: true when versioned. */
    backup: z.boolean().optional(),
  })
  .superRefine((b, ctx) => {
    const a = b.archive;
    if (a?.glacierDays !== undefined && a.glacierDays <= a.infrequentAccessDays) {
      report(
        ctx,
        ['archive', 'glacierDays'],
        `must be after infrequentAccessDays (${a.infrequentAccessDays})`,
      );
    }
    const last = a?.glacierDays ?? a?.infrequentAccessDays;
    if (a?.expireDays !== undefined && last !== undefined && a.expireDays <= last) {
      report(ctx, ['archive', 'expireDays'], `must be after the last transition (${last} days)`);
    }
    if (b.backup && !b.versioned) report(ctx, ['backup'], 'AWS Backup needs a versioned bucket');
  });

/**
 * AWS Backup Vault Lock: recovery points cannot be deleted or shortened before `minRetentionDays`.
 * `compliance` becomes immutable (not even the root user can remove it) once `changeableForDays`
 * have passed; `governance` can be removed by principals allowed `backup:DeleteBackupVaultLockConfiguration`.
 */
export const vaultLockSchema = z
  .strictObject({
    /** Default: compliance. */
    mode: z.enum(['compliance', 'governance']).default('compliance'),
    /** No recovery point may be deleted earlier (at most the shortest rule retention). */
    minRetentionDays: z.number().int().min(1),
    /** No recovery point may be kept longer (at least the longest rule retention). */
    maxRetentionDays: z.number().int().min(1).max(36500),
    /** Compliance mode: days the lock can still be removed after it is set (AWS minimum 3). Default: 3. */
    changeableForDays: z.number().int().min(3, 'AWS needs at least 3 days').default(3),
  })
  .superRefine((l, ctx) => {
    if (l.minRetentionDays > l.maxRetentionDays)
      report(
        ctx,
        ['minRetentionDays'],
        `${l.minRetentionDays} is above maxRetentionDays ${l.maxRetentionDays}`,
      );
  });

export const backupSchema = z
  .strictObject({
    /** Days daily recovery points are kept. Default: 30 (seed 002). */
    dailyRetentionDays: z.number().int().min(1).default(30),
    /** Days weekly recovery points are kept. Default: 90. */
    weeklyRetentionDays: z.number().int().min(7).default(90),
    /**
     * Copy recovery points to this vault of another account (the DR account; its vault policy must
     * admit `backup:CopyIntoBackupVault` from this account). Default: none.
     */
    copyToAccount: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_.-]+$/,
        'must be a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)',
      )
      .optional(),
    /** Vault Lock on the vaults (required in production). Default: none. */
    vaultLock: vaultLockSchema.optional(),
    /** A restore-testing plan that restores the latest recovery points monthly. Default: false. */
    restoreTesting: z.boolean().default(false),
  })
  .superRefine((b, ctx) => {
    const lock = b.vaultLock;
    if (!lock) return;
    const shortest = Math.min(b.dailyRetentionDays, b.weeklyRetentionDays);
    const longest = Math.max(b.dailyRetentionDays, b.weeklyRetentionDays);
    if (lock.minRetentionDays > shortest)
      report(
        ctx,
        ['vaultLock', 'minRetentionDays'],
        `${lock.minRetentionDays} is above the shortest retention (${shortest} days): backup jobs would fail`,
      );
    if (lock.maxRetentionDays < longest)
      report(
        ctx,
        ['vaultLock', 'maxRetentionDays'],
        `${lock.maxRetentionDays} is below the longest retention (${longest} days): backup jobs would fail`,
      );
  });
