/**
 * The supply chain of the workflows and of Terraform (README, "Pinned dependencies"): actions pinned
 * by commit SHA in one source, an updater that keeps that source and the generated files in step and
 * leaves the toolchain pins alone, and the committed provider lock file in place before every init.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { registry } from '../../environments';
import {
  AWS_PROVIDER_VERSION,
  initArgs,
  prepareBatch,
  prepareWorkDir,
  providerLockFile,
} from '../../scripts/offline';
import {
  ACTION_PIN,
  ACTIONS,
  generateWorkflows,
  PINNED_ACTIONS,
  unpinnedActions,
} from '../../scripts/workflows';
import { PROVIDER_LOCK_FILE, TERRAFORM_REQUIRED_VERSION, TERRAFORM_VERSION } from '../../stacks/toolchain';
import { appStackDir } from '../support/app-synth';

const root = join(__dirname, '..', '..');
const workflowDir = join(root, '.github', 'workflows');
const onDisk = Object.fromEntries(
  readdirSync(workflowDir).map((f) => [f, readFileSync(join(workflowDir, f), 'utf8')]),
);
const generated = generateWorkflows(registry);
const commonTs = readFileSync(join(root, 'scripts', 'workflows', 'common.ts'), 'utf8');
const renovate = JSON.parse(readFileSync(join(root, 'renovate.json'), 'utf8'));
const committedLock = readFileSync(join(root, PROVIDER_LOCK_FILE), 'utf8');

describe('actions pinned by commit SHA', () => {
  it.each([
    ['.github/workflows', onDisk],
    ['the generator', generated],
  ])('%s: every `uses:` is local or owner/repo@<sha> # <tag>', (_where, files) => {
    expect(Object.keys(files).length).toBeGreaterThan(0);
    const findings = Object.entries(files).flatMap(([name, text]) =>
      unpinnedActions(text).map((f) => `${name} ${f}`),
    );
    expect(findings).toEqual([]);
    // Each pinned line carries its tag as written in common.ts.
    const text = Object.values(files).join('\n');
    for (const pin of Object.values(PINNED_ACTIONS))
      if (text.includes(pin.split(' # ')[0])) expect(text).toContain(`uses: ${pin}\n`);
  });

  const ci = onDisk['ci.yml'];
  const pinnedCheckout = `uses: ${PINNED_ACTIONS.checkout}`;

  it.each([
    ['a major tag', 'uses: actions/checkout@v4'],
    ['a release tag', 'uses: aquasecurity/trivy-action@0.28.0'],
    ['a branch', 'uses: actions/checkout@main'],
    ['a short SHA', 'uses: actions/checkout@11d5960 # v4.4.0'],
    ['a SHA without its tag', `uses: ${ACTIONS.checkout}`],
    ['a quoted tag', 'uses: "actions/checkout@v4"'],
  ])('report a planted violation: %s', (_what, planted) => {
    expect(ci).toContain(pinnedCheckout);
    const findings = unpinnedActions(ci.replace(pinnedCheckout, planted));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toContain(planted.replace('uses: ', '').replace(/"/g, ''));
    expect(findings[0]).toMatch(/^line \d+: /);
  });

  it('report a tag hidden in a flow mapping (what YAML reads, not only the lines)', () => {
    const step = `- ${pinnedCheckout}\n        with:\n          persist-credentials: false\n`;
    const planted = ci.replace(
      step,
      '- { uses: actions/checkout@v4, with: { persist-credentials: false } }\n',
    );
    expect(planted).not.toBe(ci);
    expect(unpinnedActions(planted).join('\n')).toMatch(/actions\/checkout@v4/);
  });

  it('keep each action once, by a release tag, in the one source the generator reads', () => {
    const actions = Object.values(PINNED_ACTIONS).map((p) => ACTION_PIN.exec(p)?.groups);
    for (const [i, pin] of Object.values(PINNED_ACTIONS).entries()) {
      expect(`${pin}: ${actions[i] ? 'pinned' : 'not a pin'}`).toBe(`${pin}: pinned`);
      expect(actions[i]!.tag).toMatch(/^v?\d+\.\d+\.\d+$/); // a full release, not a moving major tag
    }
    const names = actions.map((a) => a!.action);
    expect(new Set(names).size).toBe(names.length);
    for (const [name, ref] of Object.entries(ACTIONS))
      expect(ref).toBe(PINNED_ACTIONS[name as keyof typeof PINNED_ACTIONS].split(' # ')[0]);
  });
});

describe('Renovate', () => {
  const managers = (renovate.customManagers ?? []).filter((m: any) =>
    (m.managerFilePatterns ?? []).some((p: string) =>
      new RegExp(p.replace(/^\/(.*)\/$/, '$1')).test('scripts/workflows/common.ts'),
    ),
  );

  it('updates the pins in common.ts: its regex matches every pin line, and nothing else', () => {
    expect(managers).toHaveLength(1);
    const [manager] = managers;
    expect(manager).toMatchObject({ customType: 'regex', datasourceTemplate: 'github-tags' });
    const found = manager.matchStrings.flatMap((s: string) => [...commonTs.matchAll(new RegExp(s, 'g'))]);
    // The whole pin, quoted; the dependency is the repository (an action in a subfolder, such as
    // github/codeql-action/upload-sarif, is released by its repository's tags).
    expect(found.map((m: RegExpMatchArray) => m[0]).sort()).toEqual(
      Object.values(PINNED_ACTIONS)
        .map((pin) => `'${pin}'`)
        .sort(),
    );
    expect(
      found
        .map(
          (m: RegExpMatchArray) =>
            `${m.groups!.depName}@${m.groups!.currentDigest} # ${m.groups!.currentValue}`,
        )
        .sort(),
    ).toEqual(
      Object.values(PINNED_ACTIONS)
        .map((pin) => pin.replace(/^([\w.-]+\/[\w.-]+)\/[^@]+@/, '$1@'))
        .sort(),
    );
    // Each pin's line is matched where it stands (Renovate rewrites the match in place).
    for (const pin of Object.values(PINNED_ACTIONS)) expect(commonTs).toContain(`'${pin}'`);
  });

  it('keeps digests pinned and leaves the generated workflows to `npm run workflows`', () => {
    const rule = renovate.packageRules.find((r: any) => r.matchManagers?.includes('custom.regex'));
    expect(rule).toMatchObject({ pinDigests: true });
    expect(rule.postUpgradeTasks.commands).toContain('npm run workflows');
    expect(renovate['github-actions']).toMatchObject({ enabled: false });
    // CI regenerates and fails on a difference, for a Renovate pull request that changed only common.ts.
    const steps = parse(onDisk['ci.yml']).jobs.test.steps;
    expect(steps.map((s: any) => s.run ?? '').join('\n')).toMatch(
      /npm run workflows\nif \[ -n "\$\(git status --porcelain -- \.github\/workflows\)" \]/,
    );
  });

  it('leaves alone the toolchain pins that must match the offline provider mirror', () => {
    const disabled = renovate.packageRules
      .filter((r: any) => r.enabled === false)
      .flatMap((r: any) => r.matchPackageNames ?? []);
    expect(disabled).toEqual(
      expect.arrayContaining([
        'cdktf',
        'cdktf-cli',
        '@cdktf/provider-aws',
        'hashicorp/aws',
        'hashicorp/terraform',
      ]),
    );
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect({ ...pkg.dependencies, ...pkg.devDependencies }).toMatchObject({
      cdktf: '0.21.0',
      'cdktf-cli': '0.21.0',
      '@cdktf/provider-aws': '20.1.0',
    });
  });
});

describe('Terraform: the provider lock file and the Terraform version', () => {
  it('the committed lock file locks hashicorp/aws at the mirrored version, with its hashes', () => {
    expect(providerLockFile()).toBe(join(root, PROVIDER_LOCK_FILE));
    const providers = [...committedLock.matchAll(/^provider "([^"]+)" \{/gm)].map((m) => m[1]);
    expect(providers).toEqual(['registry.terraform.io/hashicorp/aws']);
    expect(committedLock).toContain(`version     = "${AWS_PROVIDER_VERSION}"`);
    expect(committedLock).toMatch(/"h1:[A-Za-z0-9+/]{43}=",/); // linux_amd64, from the mirror
  });

  it('every workflow job that runs `terraform init` has the lock file in the stack directory first', () => {
    let inits = 0;
    for (const [name, text] of Object.entries(onDisk)) {
      for (const [id, job] of Object.entries<any>(parse(text).jobs)) {
        const steps: any[] = job.steps ?? [];
        steps.forEach((step, i) => {
          const run: string = step.run ?? '';
          const init = / init\b/.test(run) || /npm run --silent diff/.test(run);
          if (!init) return;
          inits++;
          const before = steps.slice(0, i);
          const placed = before.some((s) =>
            (s.run ?? '').includes(
              `cp ${PROVIDER_LOCK_FILE} "cdktf.out/stacks/$STACK/${PROVIDER_LOCK_FILE}"`,
            ),
          );
          // The apply job has no checkout: the saved plan's artifact holds the plan job's lock file.
          const withPlan = before.some((s) => s.uses === ACTIONS.downloadArtifact);
          expect(`${name}/${id}/${step.name}: ${placed || withPlan}`).toBe(
            `${name}/${id}/${step.name}: true`,
          );
          const readonly = / init\b/.test(run) ? run : step.env?.TF_CLI_ARGS_init;
          expect(`${name}/${id}/${step.name}: ${readonly}`).toMatch(/-lockfile=readonly/);
        });
      }
    }
    expect(inits).toBeGreaterThanOrEqual(4);
    const upload = parse(onDisk['_deploy.yml']).jobs.plan.steps.find(
      (s: any) => s.uses === ACTIONS.uploadArtifact,
    );
    expect(upload.with['include-hidden-files']).toBe(true);
  });

  it('the offline proof and plan:offline init with the committed lock file in the root module', () => {
    expect(initArgs()).toContain('-lockfile=readonly');
    const work = mkdtempSync(join(tmpdir(), 'supply-chain-'));
    try {
      const stack = appStackDir('baseline-main');
      prepareWorkDir(stack, join(work, 'single'));
      expect(readFileSync(join(work, 'single', PROVIDER_LOCK_FILE), 'utf8')).toBe(committedLock);
      prepareBatch([{ name: 'baseline-main', dir: stack }], join(work, 'batch'));
      expect(readFileSync(join(work, 'batch', PROVIDER_LOCK_FILE), 'utf8')).toBe(committedLock);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('CI installs the Terraform release every stack requires', () => {
    expect(TERRAFORM_REQUIRED_VERSION).toBe(`~> ${TERRAFORM_VERSION.replace(/\.\d+$/, '')}.0`);
    for (const [name, text] of Object.entries(onDisk))
      for (const job of Object.values<any>(parse(text).jobs))
        for (const step of job.steps ?? [])
          if (step.uses === ACTIONS.setupTerraform)
            expect(`${name}: ${step.with.terraform_version}`).toBe(`${name}: ${TERRAFORM_VERSION}`);
  });
});
