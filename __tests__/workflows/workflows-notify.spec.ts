/**
 * Pipeline failure notifications (docs/architecture.md, "Pipeline failure notifications"): every
 * job that deploys — holds a role other than a plan role — ends with a step that publishes its
 * failure to the warning topic of the environment it deploys (the account's for the account
 * stacks), with the credentials it already holds. The check is a function
 * (support/failure-notifications.ts), run on the committed workflows and on planted ones it must
 * reject. The topic names are spelled out (support/pipeline-names.ts); the roles' grants are in
 * their contracts (iam/role-contracts.spec.ts) and iam/pipeline-roles.spec.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { failureNotificationProblems, type Workflows } from '../support/failure-notifications';
import { accounts, accountWarningTopic, envs, envWarningTopic } from '../support/pipeline-names';

const dir = join(__dirname, '..', '..', '.github', 'workflows');
const workflows: Workflows = Object.fromEntries(
  readdirSync(dir).map((f) => [f, parse(readFileSync(join(dir, f), 'utf8'))]),
);
const expected: Record<string, string> = {
  ...Object.fromEntries(envs.map((e) => [e.name, envWarningTopic(e)])),
  ...Object.fromEntries(accounts.map((a) => [`account-${a.slug}`, accountWarningTopic(a)])),
};

const CREDENTIALS_ACTION = 'aws-actions/configure-aws-credentials@';
/** Every job that assumes a role, with the role expression. */
const holdingRoles = (wfs: Workflows) =>
  Object.entries<any>(wfs).flatMap(([file, doc]) =>
    Object.entries<any>(doc.jobs ?? {}).flatMap(([job, body]) => {
      const step = (body.steps ?? []).find((s: any) => String(s.uses ?? '').startsWith(CREDENTIALS_ACTION));
      return step ? [{ file, job, role: String(step.with['role-to-assume']) }] : [];
    }),
  );

/**
 * The jobs that hold a plan role: they deploy nothing and publish nothing (the plan roles are trusted
 * from any branch: a pull request must not be able to post to the environment's warning topic).
 */
const PLAN_JOBS: Record<string, RegExp> = {
  '_deploy.yml/plan': /^\$\{\{ inputs\.plan_role \}\}$/,
  'pr-diff.yml/diff': /^\$\{\{ matrix\.role \}\}$/,
  'drift.yml/drift': /^\$\{\{ matrix\.role \}\}$/,
  'terraform-ops.yml/plan': /^\$\{\{ needs\.guard\.outputs\.planRole \}\}$/,
};
/** The jobs that deploy: each publishes its failure. */
const DEPLOYING_JOBS = [
  '_deploy.yml/apply',
  'app-image.yml/image',
  'app-image.yml/migrate',
  'app-image.yml/deploy',
  'db-migrate.yml/migrate',
  'frontend-deploy.yml/site',
].filter((j) => workflows[j.split('/')[0]]);

/** Every role-holding job that is not a plan job, checked; problems, one line each. */
function allProblems(wfs: Workflows): string[] {
  return holdingRoles(wfs)
    .filter(({ file, job }) => !PLAN_JOBS[`${file}/${job}`])
    .flatMap(({ file, job }) => failureNotificationProblems(wfs, file, job, expected));
}

/** A deep copy of the workflows with `change` applied to it. */
function planted(change: (w: Record<string, any>) => void): Workflows {
  const copy = structuredClone(workflows) as Record<string, any>;
  change(copy);
  return copy;
}
const NOTIFY = 'Publish the failure to the warning topic';
const notifyIndex = (steps: any[]) => steps.findIndex((s) => s.name === NOTIFY);

describe('failure notifications of the jobs that deploy', () => {
  it('cover exactly the deploying jobs: every job holding a role but a plan role', () => {
    const holding = holdingRoles(workflows);
    const plans = holding.filter(({ file, job }) => PLAN_JOBS[`${file}/${job}`]);
    for (const p of plans) expect(p.role).toMatch(PLAN_JOBS[`${p.file}/${p.job}`]);
    expect(plans).toHaveLength(Object.keys(PLAN_JOBS).length);
    expect(
      holding
        .filter(({ file, job }) => !PLAN_JOBS[`${file}/${job}`])
        .map(({ file, job }) => `${file}/${job}`)
        .sort(),
    ).toEqual([...DEPLOYING_JOBS].sort());
    // The image, migration and deploy workflows are generated for this registry: the list is not vacuous.
    expect(DEPLOYING_JOBS).toEqual(expect.arrayContaining(['_deploy.yml/apply', 'app-image.yml/deploy']));
  });

  it("each ends with the failure step, after its credentials, on failure(), to its own environment's warning topic", () => {
    expect(allProblems(workflows)).toEqual([]);
  });

  it('name every environment and account: the apply of each deploy and terraform-ops, each image environment', () => {
    const topics = Object.values(expected);
    // The apply job's callers pass each environment's and each account's topic.
    const passed = Object.values<any>(workflows).flatMap((doc) =>
      Object.values<any>(doc.jobs ?? {})
        .filter((j) => j.uses === './.github/workflows/_deploy.yml')
        .map((j) => j.with.alert_topic),
    );
    const ops = Object.values<any>(JSON.parse(workflows['terraform-ops.yml'].env.TARGETS)).map(
      (t) => t.alertTopic,
    );
    expect(new Set([...passed.filter((t) => !t.startsWith('${{')), ...ops])).toEqual(new Set(topics));
  });
});

describe('the check rejects planted workflows', () => {
  it('a deploying job without the failure step', () => {
    const wfs = planted((w) => {
      const steps = w['app-image.yml'].jobs.deploy.steps;
      steps.splice(notifyIndex(steps), 1);
    });
    expect(allProblems(wfs)).toEqual([
      "app-image.yml job 'deploy': no step publishes its failure (aws sns publish)",
    ]);
  });

  it('a new job that assumes a role and publishes nothing', () => {
    const wfs = planted((w) => {
      const deploy = w['app-image.yml'].jobs.deploy;
      w['app-image.yml'].jobs.hotfix = {
        ...deploy,
        steps: deploy.steps.filter((s: any) => s.name !== NOTIFY),
      };
    });
    expect(allProblems(wfs)).toEqual([
      "app-image.yml job 'hotfix': no step publishes its failure (aws sns publish)",
    ]);
  });

  it('the failure step before the credentials, not last, or on another condition', () => {
    const wfs = planted((w) => {
      const steps: any[] = w['_deploy.yml'].jobs.apply.steps;
      const [step] = steps.splice(notifyIndex(steps), 1);
      steps.unshift({ ...step, if: 'always()' });
    });
    expect(allProblems(wfs)).toEqual([
      "_deploy.yml job 'apply': the failure step is not the last step",
      "_deploy.yml job 'apply': the failure step comes before the credentials step",
      "_deploy.yml job 'apply': the failure step runs if always(), not failure()",
    ]);
  });

  it("another environment's topic (in the workflow's table, or passed by a caller)", () => {
    const [own, other] = envs;
    const wfs = planted((w) => {
      const platform = JSON.parse(w['app-image.yml'].env.PLATFORM);
      platform[own.name].alertTopic = envWarningTopic(other);
      w['app-image.yml'].env.PLATFORM = JSON.stringify(platform);
      w[`deploy-${own.name}.yml`].jobs.deploy.with.alert_topic = envWarningTopic(other).replace(
        '-warning',
        '-critical',
      );
    });
    const problems = allProblems(wfs);
    for (const job of ['image', 'migrate', 'deploy'].filter((j) => workflows['app-image.yml'].jobs[j]))
      expect(problems).toContain(
        `app-image.yml job '${job}' in ${own.name}: publishes to ${envWarningTopic(other)}, not ${envWarningTopic(own)}`,
      );
    expect(problems).toContain(
      `_deploy.yml job 'apply' in ${own.name}: publishes to ${envWarningTopic(other).replace('-warning', '-critical')}, not ${envWarningTopic(own)}`,
    );
  });

  it('a failure step that can fail the job, or says nothing of the run', () => {
    const wfs = planted((w) => {
      const steps: any[] = w['db-migrate.yml'].jobs.migrate.steps;
      const step = steps[notifyIndex(steps)];
      step.run = 'aws sns publish --topic-arn "$TOPIC_ARN" --message "failed"';
      delete step.env.CREDENTIALS;
    });
    expect(allProblems(wfs)).toEqual(
      expect.arrayContaining([
        "db-migrate.yml job 'migrate': the failure step does not read the credentials step's outcome",
        "db-migrate.yml job 'migrate': the failure step can fail the job itself (publish with if ...; warn)",
        "db-migrate.yml job 'migrate': the message does not say GITHUB_ACTOR",
      ]),
    );
  });
});
