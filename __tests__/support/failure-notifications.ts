/**
 * The check of a job's failure notification (docs/architecture.md, "Pipeline failure notifications"),
 * on parsed workflows: the job's last step publishes its failure (`aws sns publish`), runs only on
 * failure (`if: failure()`), comes after the job's credentials step and reads its outcome, fails
 * softly (a warning annotation, never a second error), says what failed where (workflow, job,
 * environment, run address, ref, actor), and names the warning topic of the environment it deploys.
 * The topic is an expression: resolved here through the workflow's tables (`PLATFORM`, `SITES`, a
 * `fromJSON('{...}')` literal, terraform-ops' `TARGETS`) or, for a reusable workflow's input,
 * through each caller's value.
 */

export type Workflows = Readonly<Record<string, any>>;

const CREDENTIALS_ACTION = 'aws-actions/configure-aws-credentials@';
export const RUN_URL = '${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}';

const expression = (value: string) => /^\$\{\{\s*(.*?)\s*\}\}$/.exec(value)?.[1];

/** Environment -> value of `expr` (a table lookup by `inputs.environment`) in workflow `doc`. */
function table(doc: any, expr: string): Record<string, string> | undefined {
  const inner = expression(expr);
  if (inner === undefined) return undefined;
  let m = /^fromJSON\(env\.(\w+)\)\[inputs\.environment\]\.(\w+)$/.exec(inner);
  if (m) {
    const [, variable, field] = m;
    return Object.fromEntries(
      Object.entries<any>(JSON.parse(doc.env[variable])).map(([env, entry]) => [env, entry[field]]),
    );
  }
  m = /^fromJSON\('(.*)'\)\[inputs\.environment\]$/.exec(inner);
  if (m) return JSON.parse(m[1]);
  // terraform-ops: the guard job's output, which its resolve step reads from TARGETS.
  m = /^needs\.\w+\.outputs\.(\w+)$/.exec(inner);
  if (m && doc.env?.TARGETS) {
    const field = m[1];
    return Object.fromEntries(
      Object.entries<any>(JSON.parse(doc.env.TARGETS)).map(([env, entry]) => [env, entry[field]]),
    );
  }
  return undefined;
}

/**
 * The (environment, topic) pairs a step's `topic` and `environment` expressions take in workflow
 * `file`: literals as they are, a table lookup per environment of the table, a reusable workflow's
 * input as each caller passes it.
 */
export function topicsOf(
  workflows: Workflows,
  file: string,
  topic: string,
  environment: string,
): Array<{ environment: string; topic: string }> | string {
  const doc = workflows[file];
  if (expression(topic) === undefined && expression(environment) === undefined)
    return [{ environment, topic }];
  const input = /^inputs\.(\w+)$/.exec(expression(topic) ?? '');
  if (input && doc.on?.workflow_call?.inputs?.[input[1]]) {
    const envInput = /^inputs\.(\w+)$/.exec(expression(environment) ?? '');
    if (!envInput) return `${file}: the environment ${environment} is not an input beside ${topic}`;
    const out: Array<{ environment: string; topic: string }> = [];
    for (const [caller, callerDoc] of Object.entries<any>(workflows))
      for (const [id, job] of Object.entries<any>(callerDoc.jobs ?? {})) {
        if (job.uses !== `./.github/workflows/${file}`) continue;
        const value = job.with?.[input[1]];
        if (typeof value !== 'string') return `${caller}/${id}: calls ${file} without ${input[1]}`;
        const found = topicsOf(workflows, caller, value, String(job.with[envInput[1]]));
        if (typeof found === 'string') return found;
        out.push(...found);
      }
    if (out.length === 0) return `${file}: nothing calls it with ${input[1]}`;
    return out;
  }
  const topics = table(doc, topic);
  if (!topics) return `${file}: cannot resolve the topic ${topic}`;
  if (expression(environment) !== 'inputs.environment')
    return `${file}: the topic is looked up by inputs.environment, the environment is ${environment}`;
  return Object.entries(topics).map(([env, t]) => ({ environment: env, topic: t }));
}

/**
 * What is wrong with job `job` of workflow `file`'s failure notification, one line each (none: it
 * holds). `expected`: environment (`dev`, `account-main`) -> the warning topic ARN its jobs publish to.
 */
export function failureNotificationProblems(
  workflows: Workflows,
  file: string,
  job: string,
  expected: Readonly<Record<string, string>>,
): string[] {
  const where = `${file} job '${job}'`;
  const steps: any[] = workflows[file]?.jobs?.[job]?.steps;
  if (!steps) return [`${where}: no such job`];
  const credentials = steps.findIndex((s) => String(s.uses ?? '').startsWith(CREDENTIALS_ACTION));
  const index = steps.findIndex((s) => /(^|\s)aws sns publish /.test(String(s.run ?? '')));
  if (credentials < 0) return [`${where}: holds no AWS credentials`];
  if (index < 0) return [`${where}: no step publishes its failure (aws sns publish)`];
  const step = steps[index];
  const run: string = step.run;
  const env = step.env ?? {};
  const problems: string[] = [];
  if (index !== steps.length - 1) problems.push(`${where}: the failure step is not the last step`);
  if (index < credentials) problems.push(`${where}: the failure step comes before the credentials step`);
  if (step.if !== 'failure()') problems.push(`${where}: the failure step runs if ${step.if}, not failure()`);
  const id = steps[credentials].id;
  if (!id || env.CREDENTIALS !== `\${{ steps.${id}.outcome }}`)
    problems.push(`${where}: the failure step does not read the credentials step's outcome`);
  // Soft: the job has failed already; a publish that fails is a warning, never a second error.
  if (!/if aws sns publish /.test(run) || !/::warning::/.test(run) || /\bexit [1-9]/.test(run))
    problems.push(`${where}: the failure step can fail the job itself (publish with if ...; warn)`);
  if (env.RUN_URL !== RUN_URL) problems.push(`${where}: the message has no run address (RUN_URL)`);
  for (const v of ['GITHUB_WORKFLOW', 'GITHUB_JOB', 'GITHUB_REF', 'GITHUB_ACTOR', 'RUN_URL', 'DEPLOYED_TO'])
    if (!run.includes(`$${v}`)) problems.push(`${where}: the message does not say ${v}`);
  if (typeof env.TOPIC_ARN !== 'string' || typeof env.DEPLOYED_TO !== 'string')
    return [...problems, `${where}: the failure step names no topic or environment`];
  const topics = topicsOf(workflows, file, env.TOPIC_ARN, env.DEPLOYED_TO);
  if (typeof topics === 'string') return [...problems, `${where}: ${topics}`];
  for (const t of topics)
    if (expected[t.environment] !== t.topic)
      problems.push(
        `${where} in ${t.environment}: publishes to ${t.topic}, not ${expected[t.environment] ?? '(no environment of that name)'}`,
      );
  return problems;
}
