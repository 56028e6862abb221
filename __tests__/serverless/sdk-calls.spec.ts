/**
 * Every AWS SDK v3 command a Lambda handler sends (`new XxxCommand(...)` on a client package, in the
 * handler or a module it imports) is a must-allow of the role of the function that bundles that
 * handler, whose `because` names the file and the command (constructs/core/role-contract.ts). The
 * functions, their handlers (`"//": {"handler": ...}`) and their roles' contracts come from the raw
 * JSON of the stacks the app synthesized; the commands come from the sources under serverless/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { appStackDir, appStackIds } from '../support/app-synth';

const ROOT = join(__dirname, '..', '..');

/** The IAM action each command needs, per client package. A command missing here fails the test. */
const ACTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '@aws-sdk/client-sqs': { SendMessageCommand: 'sqs:SendMessage' },
  '@aws-sdk/client-sesv2': { SendEmailCommand: 'ses:SendEmail' },
  '@aws-sdk/client-ec2': { DescribeNetworkInterfacesCommand: 'ec2:DescribeNetworkInterfaces' },
  '@aws-sdk/client-codedeploy': {
    PutLifecycleEventHookExecutionStatusCommand: 'codedeploy:PutLifecycleEventHookExecutionStatus',
  },
};

/**
 * Commands a handler sends only under a setting of its function: a must-allow exactly when it holds
 * (and then the role grants it), none otherwise.
 */
const SENT_WHEN: Readonly<Record<string, (env: Readonly<Record<string, string>>) => boolean>> = {
  // serverless/email-validation/providers.ts: only the `ses` provider sends mail.
  SendEmailCommand: (env) => env.EMAIL_PROVIDER === 'ses',
};

interface SdkCall {
  /** Repository-relative path of the file that constructs the command. */
  readonly file: string;
  readonly pkg: string;
  readonly command: string;
}

/** The package a name is bound to in scope: `const x = runtimeSdk('@aws-sdk/...')`, `require(...)` or an import. */
function packageOf(node: ts.Node, name: string): string | undefined {
  for (let scope: ts.Node | undefined = node; scope; scope = scope.parent) {
    let found: string | undefined;
    scope.forEachChild(function visit(child): void {
      if (found) return;
      if (ts.isVariableStatement(child))
        for (const d of child.declarationList.declarations)
          if (
            ts.isIdentifier(d.name) &&
            d.name.text === name &&
            d.initializer &&
            ts.isCallExpression(d.initializer)
          ) {
            const [arg] = d.initializer.arguments;
            if (arg && ts.isStringLiteral(arg) && arg.text.startsWith('@aws-sdk/')) found = arg.text;
          }
      if (ts.isImportDeclaration(child) && ts.isStringLiteral(child.moduleSpecifier)) {
        const bindings = child.importClause?.namedBindings;
        const names =
          bindings && ts.isNamedImports(bindings) ? bindings.elements.map((e) => e.name.text) : [];
        if (
          names.includes(name) ||
          (bindings && ts.isNamespaceImport(bindings) && bindings.name.text === name)
        )
          found = child.moduleSpecifier.text;
      }
    });
    if (found) return found;
  }
  return undefined;
}

/** The SDK commands `source` constructs; a command whose client package cannot be told fails. */
function sdkCalls(file: string, source: string): SdkCall[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const calls: SdkCall[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node)) {
      const e = node.expression;
      const command = ts.isPropertyAccessExpression(e) ? e.name.text : ts.isIdentifier(e) ? e.text : '';
      if (command.endsWith('Command')) {
        const holder =
          ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) ? e.expression.text : command;
        const pkg = packageOf(node, holder);
        if (!pkg) throw new Error(`${file}: new ${command}(...) from no @aws-sdk client package`);
        calls.push({ file, pkg, command });
      }
    }
    node.forEachChild(visit);
  };
  visit(sf);
  return calls;
}

/** The IAM action of a call (the table above); an unmapped command is an error. */
function actionOf(call: SdkCall): string {
  const action = ACTIONS[call.pkg]?.[call.command];
  if (!action) throw new Error(`${call.file}: ${call.pkg} ${call.command} has no IAM action in ACTIONS`);
  return action;
}

/** The handler and every module it imports, transitively (relative imports only: the SDK is the runtime's). */
function bundled(handler: string): string[] {
  const seen = new Set<string>();
  const walk = (abs: string) => {
    if (seen.has(abs)) return;
    seen.add(abs);
    const sf = ts.createSourceFile(abs, readFileSync(abs, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const s of sf.statements) {
      const spec =
        (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) &&
        s.moduleSpecifier &&
        ts.isStringLiteral(s.moduleSpecifier)
          ? s.moduleSpecifier.text
          : undefined;
      if (!spec?.startsWith('.')) continue;
      const base = resolve(dirname(abs), spec);
      const target = [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
      if (!target) throw new Error(`${abs}: cannot resolve ${spec}`);
      walk(target);
    }
  };
  walk(join(ROOT, handler));
  return [...seen].map((f) => relative(ROOT, f)).sort();
}

interface DeployedFunction {
  readonly stack: string;
  readonly name: string;
  readonly handler: string;
  readonly env: Readonly<Record<string, string>>;
  readonly role: string;
  readonly allow: ReadonlyArray<{ action: string; because: string }>;
  /** Every action the role's own inline policies grant. */
  readonly granted: readonly string[];
}

function deployedFunctions(): DeployedFunction[] {
  return appStackIds().flatMap((stack) => {
    const json = JSON.parse(readFileSync(join(appStackDir(stack), 'cdk.tf.json'), 'utf8'));
    const res = json.resource ?? {};
    return Object.values<any>(res.aws_lambda_function ?? {}).map((fn) => {
      const roleId = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(fn.role)?.[1];
      const role = roleId ? res.aws_iam_role[roleId] : undefined;
      if (!role) throw new Error(`${stack} ${fn.function_name}: role ${fn.role} is not a role of the stack`);
      const granted = Object.values<any>(res.aws_iam_role_policy ?? {})
        .filter((p) => p.role === `\${aws_iam_role.${roleId}.id}`)
        .flatMap((p) => JSON.parse(p.policy).Statement.flatMap((s: any) => [s.Action].flat()));
      return {
        stack,
        name: fn.function_name,
        handler: fn['//']?.handler,
        env: fn.environment?.variables ?? {},
        role: role.name,
        allow: role['//']?.contract?.allow ?? [],
        granted,
      };
    });
  });
}

const functions = deployedFunctions();
const handlers = readdirSync(join(ROOT, 'serverless'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'serverless', d.name, 'handler.ts')))
  .map((d) => `serverless/${d.name}/handler.ts`);

describe('the SDK-call scan', () => {
  it('finds the commands of the runtime SDK helpers, each with its client package', () => {
    const file = 'serverless/common/aws-sdk.ts';
    expect(sdkCalls(file, readFileSync(join(ROOT, file), 'utf8'))).toEqual([
      { file, pkg: '@aws-sdk/client-sqs', command: 'SendMessageCommand' },
      { file, pkg: '@aws-sdk/client-sesv2', command: 'SendEmailCommand' },
    ]);
  });

  it('reads imported commands too, and fails on a command the table does not map', () => {
    const [call] = sdkCalls(
      'x.ts',
      "import { PublishCommand } from '@aws-sdk/client-sns';\nexport const c = new PublishCommand({});",
    );
    expect(call).toEqual({ file: 'x.ts', pkg: '@aws-sdk/client-sns', command: 'PublishCommand' });
    expect(() => actionOf(call)).toThrow(/PublishCommand has no IAM action/);
    expect(() => sdkCalls('y.ts', 'const c = new sdk.GetObjectCommand({});')).toThrow(/no @aws-sdk client/);
  });
});

describe.each(handlers)('%s', (handler) => {
  const files = bundled(handler);
  const calls = files.flatMap((f) => sdkCalls(f, readFileSync(join(ROOT, f), 'utf8')));
  const deployed = functions.filter((f) => f.handler === handler);

  it('is bundled by a function of the synthesized stacks', () => {
    expect(deployed.length).toBeGreaterThan(0);
  });

  it.each(deployed.map((f) => [`${f.stack} ${f.name}`, f] as const))(
    "%s: every command it sends is a must-allow of the function's role",
    (_, fn) => {
      for (const call of calls) {
        const action = actionOf(call);
        const because = `${call.file}: ${call.command}`;
        const sent = SENT_WHEN[call.command]?.(fn.env) ?? true;
        const allows = fn.allow.filter((a) => a.action === action && a.because.startsWith(because));
        expect({ role: fn.role, because, allowed: allows.length > 0 }).toEqual({
          role: fn.role,
          because,
          allowed: sent,
        });
        if (!sent) expect(fn.granted).not.toContain(action);
      }
    },
  );
});
