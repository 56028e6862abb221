/**
 * `frontend-deploy.yml`, the workflow a static site's repository calls (like app-image.yml for
 * images): build, upload with a cache policy per file type, delete what the build no longer has,
 * invalidate `index.html` and the changed paths, smoke test. Generated only when an environment has
 * `frontend.mode: static`; its site deploy role trusts the repository under `appRepositories.frontend`
 * in the `<env>` GitHub environment, through this workflow on main (docs/runbooks.md, "Deploy the
 * static frontend").
 */
import { alertTopicArn, pipelineRoleNames, roleArn, Naming } from '../../constructs/core/naming';
import { SITE_BUCKET_COMPONENT } from '../../constructs/core/naming';
import { accountOf, type Registry } from '../../environments/registry';
import { SITE_REPOSITORY_KEY } from '../../environments/schema/frontend';
import {
  ACTIONS,
  checkout,
  credentials,
  notifyFailure,
  OIDC,
  READ_ONLY,
  render,
  runner,
  type Step,
} from './common';

/** Environment name -> what the deploy needs there (the workflow's `SITES`). */
function sitesOf(registry: Registry) {
  const sites: Record<string, Record<string, unknown>> = {};
  for (const env of Object.values(registry.environments)) {
    const { frontend } = env;
    const { project, github } = accountOf(registry, env).account;
    if (frontend.mode !== 'static' || github.appRepositories[SITE_REPOSITORY_KEY] === undefined) continue;
    const naming = new Naming({
      project,
      environment: env.name,
      accountId: env.accountId,
      region: env.region,
    });
    sites[env.name] = {
      region: env.region,
      role: roleArn(env.accountId, pipelineRoleNames.siteDeploy(project, env.name)),
      bucket: naming.bucket(SITE_BUCKET_COMPONENT),
      domain: env.dns.domainName,
      htmlMaxAge: frontend.htmlMaxAgeSeconds,
      assetMaxAge: frontend.assetMaxAgeSeconds,
      alertTopic: alertTopicArn(
        { project, accountId: env.accountId, region: env.region, environment: env.name },
        'warning',
      ),
    };
  }
  return sites;
}

const INPUTS = {
  environment: { description: 'Environment to deploy to', required: true, type: 'string' },
  directory: {
    description: 'Directory of the app (package.json)',
    required: false,
    type: 'string',
    default: '.',
  },
  build: {
    description: 'Build command, run in directory',
    required: false,
    type: 'string',
    default: 'npm ci && npm run build',
  },
  output: {
    description: 'Build output, relative to directory',
    required: false,
    type: 'string',
    default: 'dist',
  },
  assets: {
    description: 'Folder of content-hashed files in the output (cached for a year, immutable)',
    required: false,
    type: 'string',
    default: 'assets',
  },
};

/** Validates the environment against SITES and exports the names the later steps use. */
const resolveStep: Step = {
  name: 'Check the environment',
  run: [
    "node -e '",
    'const { SITES, TARGET, GITHUB_ENV } = process.env;',
    'const s = JSON.parse(SITES)[TARGET];',
    'if (!s) { console.error(`${TARGET} has no static frontend`); process.exit(1); }',
    'const html = s.htmlMaxAge === 0 ? "no-cache" : `public, max-age=${s.htmlMaxAge}, must-revalidate`;',
    'const lines = { BUCKET: s.bucket, DOMAIN: s.domain, HTML_CACHE: html,',
    '  ASSET_CACHE: `public, max-age=${s.assetMaxAge}, immutable` };',
    'require("fs").appendFileSync(GITHUB_ENV, Object.entries(lines).map(([k, v]) => `${k}=${v}\\n`).join(""));',
    "'",
  ].join('\n'),
};

/**
 * Shell: hashed assets first (a new index.html must never name a file not yet there), then the other
 * files, index.html last; each sync deletes what the build no longer has in its part. The changed
 * paths outside the hashed folder (new names need no invalidation) go to `changed.txt`.
 */
const UPLOAD = [
  'set -euo pipefail',
  'out="$OUTPUT"',
  'test -f "$out/index.html" || { echo "::error::$out/index.html missing: is output right?"; exit 1; }',
  'paths() { grep -E "^(upload|delete):" | awk "{print \\$NF}" | sed "s#^s3://${BUCKET}##"; }',
  'if [ -d "$out/$ASSETS" ]; then',
  '  aws s3 sync "$out/$ASSETS" "s3://${BUCKET}/${ASSETS}" --delete --cache-control "$ASSET_CACHE" --no-progress',
  'fi',
  'aws s3 sync "$out" "s3://${BUCKET}" --delete --exclude "${ASSETS}/*" --exclude index.html \\',
  '  --cache-control "$HTML_CACHE" --no-progress | tee sync.log',
  'aws s3 cp "$out/index.html" "s3://${BUCKET}/index.html" --cache-control no-cache --content-type "text/html; charset=utf-8" --no-progress',
  'paths < sync.log > changed.txt || true',
  'echo "changed outside ${ASSETS}/: $(wc -l < changed.txt) file(s)"',
].join('\n');

/** Shell: invalidates `/`, `/index.html` and the changed paths (or everything past 15), and waits. */
const INVALIDATE = [
  'set -euo pipefail',
  'DIST=$(aws cloudfront list-distributions --query "DistributionList.Items[?contains(to_array(Aliases.Items), \'${DOMAIN}\')].Id | [0]" --output text)',
  'if [ -z "$DIST" ] || [ "$DIST" = None ]; then echo "::error::no distribution serves $DOMAIN"; exit 1; fi',
  'mapfile -t changed < changed.txt',
  'if [ "${#changed[@]}" -gt 15 ]; then paths=("/*"); else paths=("/" "/index.html" "${changed[@]}"); fi',
  'ID=$(aws cloudfront create-invalidation --distribution-id "$DIST" --paths "${paths[@]}" --query Invalidation.Id --output text)',
  'aws cloudfront wait invalidation-completed --distribution-id "$DIST" --id "$ID"',
  'echo "### frontend-deploy to ${TARGET}: invalidated ${paths[*]} on $DIST" >> "$GITHUB_STEP_SUMMARY"',
].join('\n');

/** Shell: the site answers with this build's index.html and the security headers. */
const SMOKE = [
  'set -euo pipefail',
  'curl --fail --silent --show-error --retry 10 --retry-delay 6 --retry-all-errors -D headers.txt -o served.html "https://${DOMAIN}/"',
  'cmp -s served.html "$OUTPUT/index.html" || { echo "::error::https://${DOMAIN}/ does not serve this build"; exit 1; }',
  'grep -qi "^strict-transport-security:" headers.txt || { echo "::error::no HSTS header"; exit 1; }',
].join('\n');

export function frontendDeploy(registry: Registry): string | undefined {
  const sites = sitesOf(registry);
  if (Object.keys(sites).length === 0) return undefined;
  return render({
    name: 'frontend-deploy',
    on: {
      workflow_call: { inputs: INPUTS },
      workflow_dispatch: {
        inputs: {
          ...INPUTS,
          environment: { ...INPUTS.environment, type: 'choice', options: Object.keys(sites) },
        },
      },
    },
    permissions: READ_ONLY,
    env: { SITES: JSON.stringify(sites) },
    jobs: {
      site: {
        name: 'build and publish the site to ${{ inputs.environment }}',
        ...runner(30),
        // The site deploy role trusts the site's repository in this GitHub environment, through this
        // workflow on main (job_workflow_ref): callers use `frontend-deploy.yml@main`.
        environment: '${{ inputs.environment }}',
        permissions: OIDC,
        concurrency: { group: 'site-${{ inputs.environment }}', 'cancel-in-progress': false },
        env: {
          TARGET: '${{ inputs.environment }}',
          OUTPUT: '${{ inputs.directory }}/${{ inputs.output }}',
          ASSETS: '${{ inputs.assets }}',
        },
        steps: [
          resolveStep,
          checkout,
          { uses: ACTIONS.setupNode, with: { 'node-version': 22 } },
          {
            name: 'Build',
            'working-directory': '${{ inputs.directory }}',
            run: 'bash -euo pipefail -c "$BUILD"',
            env: { BUILD: '${{ inputs.build }}' },
          },
          credentials(
            '${{ fromJSON(env.SITES)[inputs.environment].role }}',
            '${{ fromJSON(env.SITES)[inputs.environment].region }}',
          ),
          {
            name: 'Upload (hashed assets immutable, index.html no-cache) and delete removed files',
            run: UPLOAD,
          },
          { name: 'Invalidate index.html and the changed paths', run: INVALIDATE },
          { name: 'Smoke test', run: SMOKE },
          // A failed build is not published: the build runs before the job holds credentials, so
          // the site's dependencies never see them.
          notifyFailure({
            topic: '${{ fromJSON(env.SITES)[inputs.environment].alertTopic }}',
            environment: '${{ inputs.environment }}',
            deploys: 'static site',
          }),
        ],
      },
    },
  });
}
