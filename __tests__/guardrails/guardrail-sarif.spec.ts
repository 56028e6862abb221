/**
 * The guardrail report as SARIF 2.1.0 (stacks/guardrail-sarif.ts), validated against the OASIS
 * schema (vendored: support/schemas/README.md) with Ajv: the app's own, and a failed synthesis's.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { StableAddressStack } from '../../constructs/core/addresses';
import { standardTags } from '../../constructs/core/tagging';
import { PROJECT } from '../../environments/accounts';
import { configureAws } from '../../stacks/aws';
import { GUARDRAIL_RULES } from '../../constructs/core/guardrail-rules';
import { applyGuardrails, waiveGuardrail } from '../../constructs/core/guardrails';
import { registry } from '../../environments';
import {
  configFileOf,
  docsUri,
  SARIF_FILE,
  sarifWriters,
  type StackConfigs,
} from '../../stacks/guardrail-sarif';
import { synthesizeInto } from '../../stacks/synth-output';
import { appGuardrailReport, appGuardrailSarif } from '../support/app-synth';

const root = join(__dirname, '..', '..');
const schema = JSON.parse(
  readFileSync(join(__dirname, '..', 'support', 'schemas', 'sarif-schema-2.1.0.json'), 'utf8'),
);
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

type Sarif = any;

function expectValid(log: Sarif): void {
  const ok = validate(log);
  expect(ok ? [] : validate.errors).toEqual([]);
}

const resultsOf = (log: Sarif): any[] => log.runs[0].results;
const uris = (log: Sarif): string[] =>
  resultsOf(log).flatMap((r) => r.locations.map((l: any) => l.physicalLocation.artifactLocation.uri));

describe('the schema check itself', () => {
  it('rejects what is no SARIF 2.1.0', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
  });
});

describe("the app's SARIF (this run's synthesis)", () => {
  const log = appGuardrailSarif() as Sarif;

  it('is valid SARIF 2.1.0 with every rule', () => {
    expectValid(log);
    expect(log.runs[0].tool.driver.rules.map((r: any) => r.id)).toEqual(GUARDRAIL_RULES.map((r) => r.id));
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(true);
  });

  it('holds each waived finding of guardrails.json as a suppressed result with its reason', () => {
    const report = appGuardrailReport() as any;
    const waived = report.stacks.flatMap((s: any) =>
      s.waived.flatMap((w: any) => w.findings.map(() => w.reason)),
    );
    expect(resultsOf(log)).toHaveLength(waived.length);
    for (const r of resultsOf(log)) {
      expect(r.suppressions).toHaveLength(1);
      expect(waived.some((reason: string) => r.suppressions[0].justification.startsWith(reason))).toBe(true);
    }
  });

  it('points every result at an existing file of the repository, by a relative path', () => {
    expect(uris(log).length).toBeGreaterThan(0);
    for (const uri of uris(log)) {
      expect(uri).not.toMatch(/^\/|^[a-z]+:/);
      expect(`${uri}: ${existsSync(join(root, uri))}`).toBe(`${uri}: true`);
    }
  });

  it('gives every result its own stable fingerprint', () => {
    const prints = resultsOf(log).map((r) => r.partialFingerprints['guardrailFinding/v1']);
    expect(new Set(prints).size).toBe(prints.length);
  });
});

describe('which file configures a stack', () => {
  it('is the environment file, the accounts file or the registry entry point', () => {
    const account = Object.keys(registry.accounts)[0];
    expect(configFileOf(`state-${account}`, registry, root)).toBe('environments/accounts.ts');
    expect(configFileOf(`baseline-${account}`, registry, root)).toBe('environments/accounts.ts');
    expect(configFileOf('platform-dev', registry, root)).toBe('environments/dev.ts');
    expect(configFileOf(`reference-${Object.keys(registry.references)[0]}`, registry, root)).toMatch(
      /^environments\/references\/.+\.ts$/,
    );
    expect(configFileOf('bare', registry, root)).toBe('environments/index.ts');
  });
});

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = join(e.parentPath, e.name);
        return [path.slice(dir.length), readFileSync(path, 'utf8')];
      }),
  );

function worldIngress(scope: Construct, id: string, port: number) {
  return new VpcSecurityGroupIngressRule(scope, id, {
    securityGroupId: 'sg-0123456789abcdef0',
    cidrIpv4: '0.0.0.0/0',
    ipProtocol: 'tcp',
    fromPort: port,
    toPort: port,
  });
}

const CONFIG_REASON = 'break-glass RDP, removed by Friday';
const CODE_REASON = 'documented exception in code';

/** A clean stack, then `platform-dev` with an open finding (SSH), a config and a code waiver. */
function plantViolation(app: Construct): void {
  new TerraformOutput(new TerraformStack(app, 'fine'), 'o', { value: 'v' });
  const stack = new StableAddressStack(app, 'platform-dev');
  const { accountId, region, name } = registry.environments.dev;
  configureAws(stack, { region, accountId, tags: standardTags({ project: PROJECT, environment: name }) });
  applyGuardrails(stack, { waivers: [{ rule: 'public-exposure', resource: 'Rdp', reason: CONFIG_REASON }] });
  worldIngress(stack, 'Ssh', 22);
  worldIngress(stack, 'Rdp', 3389);
  waiveGuardrail(worldIngress(stack, 'Telnet', 23), 'public-exposure', CODE_REASON);
}

/** An output directory as a previous synthesis left it. */
function previousOutput(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'sarif-out-')), 'cdktf.out');
  write(join(out, 'manifest.json'), 'old manifest');
  write(join(out, 'guardrails.json'), 'old report');
  write(join(out, 'stacks', 'platform-dev', 'cdk.tf.json'), 'old stack');
  write(join(out, 'stacks', 'platform-dev', '.terraform.lock.hcl'), 'lock');
  return out;
}

describe('a synthesis that fails on guardrail findings', () => {
  const configs: StackConfigs = registry;
  const writers = sarifWriters(configs, root);
  const fail = (out: string) =>
    expect(() => synthesizeInto(out, plantViolation, writers.succeeded, { failed: writers.failed })).toThrow(
      /Guardrails of platform-dev: 1 finding/,
    );

  it('still writes a valid guardrails.sarif with the finding, and leaves the stacks as they were', () => {
    const out = previousOutput();
    const before = snapshot(out);
    fail(out);
    const after = snapshot(out);
    const log = JSON.parse(after[`/${SARIF_FILE}`]);
    delete after[`/${SARIF_FILE}`];
    expect(after).toEqual(before);
    expect(readdirSync(join(out, '..'))).toEqual(['cdktf.out']);

    expectValid(log);
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(false);
    const open = resultsOf(log).filter((r) => !r.suppressions);
    expect(open).toEqual([
      expect.objectContaining({
        ruleId: 'public-exposure',
        level: 'error',
        message: {
          text: expect.stringMatching(
            /^platform-dev: \[public-exposure\] Ssh \(aws_vpc_security_group_ingress_rule\.\w+\): .*22/,
          ),
        },
      }),
    ]);
    const location = open[0].locations[0];
    expect(location.physicalLocation.artifactLocation).toEqual({
      uri: 'environments/dev.ts',
      uriBaseId: '%SRCROOT%',
    });
    expect(location.logicalLocations.map((l: any) => l.name)).toEqual([
      'platform-dev',
      'Ssh',
      expect.stringMatching(/^aws_vpc_security_group_ingress_rule\./),
    ]);
    for (const uri of uris(log)) expect(existsSync(join(root, uri))).toBe(true);
  });

  it('lists the waived findings as suppressions with their reasons', () => {
    const out = previousOutput();
    fail(out);
    const log = JSON.parse(readFileSync(join(out, SARIF_FILE), 'utf8'));
    const suppressed = resultsOf(log)
      .filter((r) => r.suppressions)
      .map((r) => [r.locations[0].logicalLocations[1].name, r.suppressions]);
    expect(suppressed).toEqual([
      [
        'Rdp',
        [{ kind: 'external', status: 'accepted', justification: `${CONFIG_REASON} (guards.waivers[0])` }],
      ],
      [
        'Telnet',
        [{ kind: 'inSource', status: 'accepted', justification: `${CODE_REASON} (waiveGuardrail in code)` }],
      ],
    ]);
  });

  it('keeps the fingerprints from one run to the next', () => {
    const prints = () => {
      const out = previousOutput();
      fail(out);
      return resultsOf(JSON.parse(readFileSync(join(out, SARIF_FILE), 'utf8'))).map(
        (r) => r.partialFingerprints,
      );
    };
    const first = prints();
    expect(prints()).toEqual(first);
    expect(new Set(first.map((p: any) => p['guardrailFinding/v1'])).size).toBe(3);
  });

  it('writes no SARIF when synthesis fails on anything else (a config error)', () => {
    const out = previousOutput();
    const before = snapshot(out);
    expect(() =>
      synthesizeInto(
        out,
        (app) => {
          const stack = new StableAddressStack(app, 'broken');
          new TerraformOutput(stack, 'o', { value: 'v' });
          applyGuardrails(stack, { waivers: [{ rule: 'public-exposure', resource: 'Nope', reason: 'x' }] });
        },
        writers.succeeded,
        { failed: writers.failed },
      ),
    ).toThrow(/Nope is no resource/);
    expect(snapshot(out)).toEqual(before);
  });
});

describe('locations', () => {
  it("point a config waiver at its reason's line in the environment file", () => {
    const fakeRoot = mkdtempSync(join(tmpdir(), 'sarif-root-'));
    write(
      join(fakeRoot, 'environments', 'dev.ts'),
      `export const dev = {\n  guards: {\n    waivers: [\n      { rule: 'public-exposure', resource: 'Rdp', reason: '${CONFIG_REASON}' },\n    ],\n  },\n};\n`,
    );
    const out = previousOutput();
    const writers = sarifWriters(
      { accounts: {}, environments: { dev: {} }, references: {} } as any,
      fakeRoot,
    );
    expect(() =>
      synthesizeInto(out, plantViolation, writers.succeeded, { failed: writers.failed }),
    ).toThrow();
    const log = JSON.parse(readFileSync(join(out, SARIF_FILE), 'utf8'));
    expectValid(log);
    const rdp = resultsOf(log).find((r) => r.locations[0].logicalLocations[1].name === 'Rdp');
    expect(rdp.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'environments/dev.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 4 },
    });
    const ssh = resultsOf(log).find((r) => r.locations[0].logicalLocations[1].name === 'Ssh');
    expect(ssh.locations[0].physicalLocation.region).toBeUndefined();
  });

  it('link the rules to the docs at the commit in a workflow run, else to the local file', () => {
    expect(
      docsUri(root, { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: 'abc' }),
    ).toBe('https://github.com/o/r/blob/abc/docs/architecture.md#guardrails-at-synthesis');
    expect(docsUri(root, {})).toMatch(/^file:\/\/.*\/docs\/architecture\.md#guardrails-at-synthesis$/);
  });
});
