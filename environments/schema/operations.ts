/**
 * Operations: `budget` (the monthly cost alert), `logs` (retention of the environment's log groups)
 * and `deploy` (where the environment sits in the deploy chain).
 */
import { z } from './zod';
import { report } from './errors';
import { emailSchema, retentionSchema, slug } from './primitives';

export const budgetSchema = z.strictObject({
  monthlyLimitUsd: z.number().positive(),
  /** Percentages of the limit that notify (actual spend). Default: 80 and 100. */
  thresholdsPercent: z.array(z.number().min(1).max(1000)).min(1).default([80, 100]),
  alertEmails: z
    .array(emailSchema)
    .min(1, 'needs at least one address')
    .max(10, 'AWS Budgets allows at most 10 email subscribers'),
});

export const logsSchema = z.strictObject({ retentionDays: retentionSchema });

export const DEPLOY_TRIGGERS = ['push', 'tag', 'manual'] as const;

/**
 * How the environment's deploy workflow starts. `push`: on merge to main; with `after`, instead once
 * the named environment's deploy workflow has succeeded (the chain dev -> staging). `tag`: on a
 * release tag. `manual`: only by workflow dispatch. `after` only chains push deploys: a tag or manual
 * deploy is started by a person or a release, not by another environment. That `after` names another
 * environment, and that the chain has no cycle, is checked by the registry (registry-rules.ts).
 */
export const deploySchema = z
  .strictObject({
    trigger: z.enum(DEPLOY_TRIGGERS),
    after: slug(10).optional(),
  })
  .superRefine((d, ctx) => {
    if (d.after !== undefined && d.trigger !== 'push') {
      report(
        ctx,
        ['after'],
        `only applies to trigger 'push' (a ${d.trigger} deploy does not wait for another environment)`,
      );
    }
  });
