/**
 * How a service's new images go live (`services.<name>.deployment`) and what runs before
 * (`services.<name>.migrations`). Part of the compute section (compute.ts uses these).
 */
import { z } from './zod';
import { report } from './errors';
import { imageSchema, portSchema } from './primitives';

/** Ports the ALB's production listeners hold: a test listener needs another. */
export const PRODUCTION_LISTENER_PORTS = [80, 443] as const;

const stepPercent = z
  .number()
  .int('must be a whole percentage')
  .min(1, 'must be a percentage from 1 to 99 (100 % at once is allAtOnce)')
  .max(99, 'must be a percentage from 1 to 99 (100 % at once is allAtOnce)');
/** CodeDeploy accepts intervals of 1 minute to 2 days. */
const stepMinutes = z.number().int().min(1, 'must be at least 1 minute').max(2880, 'must be at most 2880');

/**
 * How CodeDeploy moves production traffic to the new task set: all at once; `canary` moves
 * `percent` first and the rest after `minutes`; `linear` moves `percent` every `minutes`.
 */
export const trafficShiftSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('allAtOnce') }),
  z.strictObject({ type: z.literal('canary'), percent: stepPercent, minutes: stepMinutes }),
  z.strictObject({ type: z.literal('linear'), percent: stepPercent, minutes: stepMinutes }),
]);
export type TrafficShift = z.output<typeof trafficShiftSchema>;

const blueGreenSchema = z
  .strictObject({
    type: z.literal('blueGreen'),
    /** Default: canary, 10 % for 5 minutes (a bad release meets a tenth of the traffic, alarms stop it). */
    trafficShift: trafficShiftSchema.default({ type: 'canary', percent: 10, minutes: 5 }),
    /**
     * The ALB port of the test listener (HTTPS, admits only the VPC), where the new task set answers
     * before it takes production traffic. Unique per environment. Default: 8443.
     */
    testListenerPort: portSchema.default(8443),
    /** Minutes the old task set keeps running after the shift (a rollback is instant meanwhile). Default: 5. */
    terminationWaitMinutes: z.number().int().min(0).max(2880).default(5),
  })
  .superRefine((b, ctx) => {
    if ((PRODUCTION_LISTENER_PORTS as readonly number[]).includes(b.testListenerPort))
      report(
        ctx,
        ['testListenerPort'],
        `${b.testListenerPort} is a production listener port; use another (e.g. 8443)`,
      );
  });

/**
 * `rolling`: ECS replaces tasks in place, the circuit breaker rolls a failed deployment back.
 * `blueGreen`: CodeDeploy starts a new task set behind a second target group, opens it on the test
 * listener, shifts traffic as `trafficShift` says, and rolls back on failure or on the service's alarms.
 * Default: rolling.
 */
export const deploymentSchema = z
  .discriminatedUnion('type', [z.strictObject({ type: z.literal('rolling') }), blueGreenSchema])
  .default({ type: 'rolling' });
export type DeploymentConfig = z.output<typeof deploymentSchema>;
export type BlueGreenConfig = Extract<DeploymentConfig, { type: 'blueGreen' }>;

/**
 * Schema migrations run before each rollout as the environment's database migration task (the
 * database-admin identity, its network), with `command`; the deployment fails on a non-zero exit.
 */
export const migrationsSchema = z.strictObject({
  /** The container command, e.g. `['liquibase', 'update']`. */
  command: z.array(z.string().min(1)).min(1, 'needs the migration command'),
  /** Default: the image being deployed (migrations ship with the application). */
  image: imageSchema.optional(),
});
export type MigrationsConfig = z.output<typeof migrationsSchema>;
