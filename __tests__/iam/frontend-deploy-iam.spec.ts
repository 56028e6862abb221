/**
 * The static site's deploy role (frontend-deploy), by policy EVALUATION (identity + pipeline
 * boundary): it publishes only its environment's site bucket and invalidates only the distribution
 * tagged with its environment; every denial has its allowed counterpart. Names are spelled out here.
 */
import { environmentsOf } from '../../environments';
import { accountsInputCopy, buildStacks, envInput, registryOf, synth } from '../support/fixtures';
import { decide, type Decision, type EvalRequest } from '../support/iam-eval';
import { pipelinePolicies } from '../support/pipeline-policies';
import { staticFrontendInput } from '../support/variants';

const registry = registryOf([envInput('dev'), staticFrontendInput()]);
const [slug, account] = Object.entries(registry.accounts)[0];
const { project, accountId } = account;
const [dev, site] = environmentsOf(registry, slug);
const out = synth(buildStacks(registry).state[slug]);
const p = pipelinePolicies(out, account);
const roleName = `${project}-${site.name}-github-site-deploy`;
const bucket = (env: string) => `arn:aws:s3:::${project}-${env}-site-${accountId}`;
const distribution = `arn:aws:cloudfront::${accountId}:distribution/E2ABCDEF123456`;
const tagged = (env: string, proj = project) => ({
  'aws:ResourceTag/Environment': env,
  'aws:ResourceTag/Project': proj,
});

const deploy = (action: string, resource: string, context: EvalRequest['context'] = {}): Promise<Decision> =>
  decide({
    identity: p.identity(roleName),
    boundary: p.managed(`${project}-pipeline-boundary`),
    principalArn: `arn:aws:iam::${accountId}:role/${roleName}`,
    action,
    resource,
    context,
  });

describe(`the ${site.name} site deploy role`, () => {
  it('exists only for the static-frontend environment', () => {
    const names = out.resources('aws_iam_role').map(([, r]) => r.name as string);
    expect(names).toContain(roleName);
    expect(names).not.toContain(`${project}-${dev.name}-github-site-deploy`);
  });

  it('uploads, lists and deletes only in its own site bucket (and reads no object: sync compares listings)', async () => {
    for (const action of ['s3:PutObject', 's3:DeleteObject']) {
      expect(await deploy(action, `${bucket(site.name)}/assets/app-1a2b3c.js`)).toBe('Allowed');
      expect(await deploy(action, `${bucket(dev.name)}/index.html`)).not.toBe('Allowed');
    }
    expect(await deploy('s3:GetObject', `${bucket(site.name)}/index.html`)).not.toBe('Allowed');
    expect(await deploy('s3:ListBucket', bucket(site.name))).toBe('Allowed');
    expect(await deploy('s3:ListBucket', bucket(dev.name))).not.toBe('Allowed');
    // Not the environment's other buckets either, nor the bucket itself.
    expect(
      await deploy('s3:PutObject', `arn:aws:s3:::${project}-${site.name}-media-${accountId}/x`),
    ).not.toBe('Allowed');
    expect(await deploy('s3:PutBucketPolicy', bucket(site.name))).not.toBe('Allowed');
  });

  it('invalidates only the distribution tagged with its environment and project', async () => {
    for (const action of ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']) {
      expect(await deploy(action, distribution, tagged(site.name))).toBe('Allowed');
      expect(await deploy(action, distribution, tagged(dev.name))).not.toBe('Allowed');
      expect(await deploy(action, distribution, tagged(site.name, 'other'))).not.toBe('Allowed');
      expect(await deploy(action, distribution)).not.toBe('Allowed');
    }
    expect(await deploy('cloudfront:UpdateDistribution', distribution, tagged(site.name))).not.toBe(
      'Allowed',
    );
    expect(await deploy('cloudfront:ListDistributions', '*')).toBe('Allowed');
  });

  it('touches nothing of the services (no images, no ECS, no roles)', async () => {
    const repo = `arn:aws:ecr:${site.region}:${accountId}:repository/${project}-${site.name}-backend`;
    expect(await deploy('ecr:PutImage', repo)).not.toBe('Allowed');
    expect(
      await deploy('iam:PassRole', `arn:aws:iam::${accountId}:role/${project}-${site.name}-backend-task`),
    ).not.toBe('Allowed');
  });

  it("is trusted only from the site's repository in the environment on its main, through frontend-deploy.yml on main", () => {
    const [, role] = out.resources('aws_iam_role').find(([, r]) => r.name === roleName)!;
    const host = 'token.actions.githubusercontent.com';
    const { github } = accountsInputCopy().main;
    const infra = `${github.owner}/${github.repository}`;
    expect(JSON.parse(role.assume_role_policy).Statement[0].Condition).toEqual({
      StringEquals: {
        [`${host}:aud`]: 'sts.amazonaws.com',
        [`${host}:sub`]: [`repo:${github.appRepositories.frontend}:environment:${site.name}`],
        // The repository's immutable ids beside its name.
        [`${host}:repository_id`]: github.repositoryIds[github.appRepositories.frontend].id,
        [`${host}:repository_owner_id`]: github.repositoryIds[github.appRepositories.frontend].ownerId,
      },
      StringLike: {
        // The site repository's main (and release tags where the environment deploys on them).
        [`${host}:ref`]:
          site.deploy.trigger === 'tag' ? ['refs/heads/main', 'refs/tags/v*'] : ['refs/heads/main'],
        [`${host}:job_workflow_ref`]: [`${infra}/.github/workflows/frontend-deploy.yml@refs/heads/main`],
      },
    });
  });
});
