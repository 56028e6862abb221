/**
 * cdktf runs as published or patched in the open (docs/architecture.md, "Performance"): no source
 * of the app, its scripts or the test harness modifies cdktf, constructs or a JavaScript global at
 * run time, and no build step edits a package's code as it loads it. A change of cdktf's code is a
 * patch file in patches/, applied at install (__tests__/house/synth-bundle.spec.ts proves it neutral).
 *
 * The forms looked for, in TypeScript's syntax tree:
 * - an assignment to a member of a built-in global (`Error.captureStackTrace = ...`), of `globalThis`,
 *   of something imported from cdktf or constructs, or through a `prototype`;
 * - an assignment to a member named like a method of cdktf's stacks, elements or app
 *   (`stack.toTerraform = ...`): an instance's method replaced;
 * - `Object.defineProperty` / `defineProperties` / `setPrototypeOf` / `Reflect.defineProperty` /
 *   `Reflect.set` on anything but `this`;
 * - a build or test step that rewrites code as it loads it: an esbuild `onLoad` (the bundle has no
 *   use for one), jest's `transformIgnorePatterns` or a transform keyed on a package path.
 */
import { App, TerraformElement, TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import * as ts from 'typescript';

const root = join(__dirname, '..', '..');

const GLOBALS = new Set([
  'Error',
  'Object',
  'Array',
  'Function',
  'String',
  'Number',
  'Boolean',
  'Symbol',
  'Promise',
  'JSON',
  'Math',
  'Reflect',
  'globalThis',
  'global',
  'console',
  'Buffer',
]);
const FRAMEWORK_MODULES = /^(cdktf|constructs|@cdktf\/provider-aws)(\/|$)/;

/**
 * cdktf's `TerraformMetaArguments`: public fields of a resource, set by assignment (a stack's
 * `dependsOn` is a method of the same name).
 */
const META_ARGUMENTS = new Set([
  'dependsOn',
  'count',
  'provider',
  'lifecycle',
  'forEach',
  'provisioners',
  'connection',
]);

/** Method names of cdktf's app, stacks, elements and resources: replacing one on an instance is a patch. */
function frameworkMethods(): Set<string> {
  const names = new Set<string>();
  for (const cls of [App, TerraformStack, TerraformElement, TerraformResource, Construct])
    for (const name of Object.getOwnPropertyNames(cls.prototype))
      if (
        name !== 'constructor' &&
        !META_ARGUMENTS.has(name) &&
        typeof Object.getOwnPropertyDescriptor(cls.prototype, name)?.value === 'function'
      )
        names.add(name);
  return names;
}

export interface HouseFinding {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly why: string;
}

/** `globalThis.x = ...` replaces a global when Node has one by that name (a new one, like jsdom's `window`, is not). */
function replacesGlobal(names: readonly string[]): boolean {
  const name = names[names.length - 1];
  return name === undefined || name in globalThis;
}

/** The root identifier of `a.b.c` / `a['b'].c` (undefined for `this`, calls, ...). */
function rootOf(e: ts.Expression): ts.Identifier | undefined {
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = e.expression;
  return ts.isIdentifier(e) ? e : undefined;
}

function memberNames(e: ts.Expression): string[] {
  const names: string[] = [];
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    if (ts.isPropertyAccessExpression(e)) names.push(e.name.text);
    else if (ts.isStringLiteral(e.argumentExpression)) names.push(e.argumentExpression.text);
    e = e.expression;
  }
  return names;
}

const ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
]);

/** Every runtime modification of the framework or a global in `files` (path → source). */
export function houseFindings(
  files: ReadonlyMap<string, string>,
  methods = frameworkMethods(),
): HouseFinding[] {
  const found: HouseFinding[] = [];
  for (const [file, source] of files) {
    const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const framework = new Set<string>();
    for (const st of sf.statements)
      if (
        ts.isImportDeclaration(st) &&
        ts.isStringLiteral(st.moduleSpecifier) &&
        FRAMEWORK_MODULES.test(st.moduleSpecifier.text)
      ) {
        const clause = st.importClause;
        if (clause?.name) framework.add(clause.name.text);
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) framework.add(bindings.name.text);
        if (bindings && ts.isNamedImports(bindings))
          for (const el of bindings.elements) framework.add(el.name.text);
      }
    const report = (node: ts.Node, why: string) =>
      found.push({
        file,
        line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1,
        text: node.getText().split('\n')[0].slice(0, 120),
        why,
      });
    const visit = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node) && ASSIGNMENTS.has(node.operatorToken.kind)) {
        const left = node.left;
        if (ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) {
          const base = rootOf(left);
          const names = memberNames(left);
          if (base && GLOBALS.has(base.text) && (!/^global(This)?$/.test(base.text) || replacesGlobal(names)))
            report(node, `assigns to a member of the global ${base.text}`);
          else if (base && framework.has(base.text))
            report(node, `assigns to a member of ${base.text}, imported from the framework`);
          else if (names.includes('prototype')) report(node, 'assigns through a prototype');
          else if (names.length > 0 && methods.has(names[0]))
            report(node, `replaces the framework method ${names[0]} on an instance`);
        }
      }
      if (ts.isCallExpression(node)) {
        const callee = node.expression.getText();
        const target = node.arguments[0];
        if (
          /^(Object\.(defineProperty|defineProperties|setPrototypeOf|assign)|Reflect\.(defineProperty|set|setPrototypeOf))$/.test(
            callee,
          ) &&
          target &&
          target.kind !== ts.SyntaxKind.ThisKeyword &&
          (callee !== 'Object.assign' ||
            (rootOf(target as ts.Expression) && GLOBALS.has(rootOf(target as ts.Expression)!.text)) ||
            /\.prototype\b/.test(target.getText()))
        )
          report(node, `${callee} on ${target.getText().slice(0, 60)}, not on the object's own \`this\``);
        if (/\.onLoad$/.test(callee)) report(node, 'a build step that rewrites code as it loads it');
      }
      if (ts.isPropertyAssignment(node)) {
        const key = node.name.getText().replace(/^['"]|['"]$/g, '');
        if (key === 'transformIgnorePatterns') report(node, "jest transforms packages' code");
        if (
          ts.isStringLiteral(node.name) &&
          /cdktf|constructs|node_modules/.test(key) &&
          /transform/.test(node.parent.parent?.getText().slice(0, 12) ?? '')
        )
          report(node, 'a jest transform keyed on a package path');
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

/** The app's, the scripts' and the test harness's sources (tests themselves may stub and spy). */
function sources(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
        files.set(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  };
  for (const dir of [
    'constructs',
    'stacks',
    'environments',
    'scripts',
    'serverless',
    'join:__tests__/support',
  ])
    walk(join(root, dir.replace(/^join:/, '')));
  for (const file of ['main.ts', 'jest.config.js', 'eslint.config.mjs'])
    files.set(file, readFileSync(join(root, file), 'utf8'));
  return files;
}

describe('no runtime modification of cdktf or of a global', () => {
  it('finds none in the app, the scripts and the test harness', () => {
    const files = sources();
    expect(files.size).toBeGreaterThan(100);
    expect(files.has('main.ts') && files.has('constructs/core/guardrails.ts')).toBe(true);
    expect(houseFindings(files)).toEqual([]);
  });

  it('finds each form when planted', () => {
    const planted = new Map([
      [
        'main.ts',
        [
          "import { TerraformStack } from 'cdktf';",
          'Error.captureStackTrace = () => undefined;',
          'globalThis.fetch = undefined;',
          'globalThis.window = dom.window;',
          'TerraformStack.prototype.toTerraform = () => ({});',
          'TerraformStack.of = () => undefined;',
          'stack.toTerraform = () => ({});',
          "Object.defineProperty(TerraformStack, 'x', { value: 1 });",
          "Reflect.set(stack, 'synthesizer', {});",
          'Object.assign(Error, { stackTraceLimit: 0 });',
          'Widget.prototype.draw = () => undefined;',
        ].join('\n'),
      ],
      ['scripts/build.js', 'build.onLoad({ filter: file }, (args) => ({ contents: edited(args.path) }));'],
      [
        'jest.config.js',
        "module.exports = { transform: { 'cdktf/lib/x\\\\.js$': 'edit.js' }, transformIgnorePatterns: [] };",
      ],
      [
        'constructs/core/fine.ts',
        [
          "Object.defineProperty(this, 'layer', { value: true });",
          'this.synthesisChecks = [];',
          'options.outdir = dir;',
          'const merged = Object.assign({}, a, b);',
          'process.exitCode = 1;',
          'resource.dependsOn = [other];',
        ].join('\n'),
      ],
    ]);
    const found = houseFindings(planted).map((f) => `${f.file}:${f.line} ${f.why}`);
    expect(found).toEqual([
      'main.ts:2 assigns to a member of the global Error',
      'main.ts:3 assigns to a member of the global globalThis',
      'main.ts:5 assigns to a member of TerraformStack, imported from the framework',
      'main.ts:6 assigns to a member of TerraformStack, imported from the framework',
      'main.ts:7 replaces the framework method toTerraform on an instance',
      "main.ts:8 Object.defineProperty on TerraformStack, not on the object's own `this`",
      "main.ts:9 Reflect.set on stack, not on the object's own `this`",
      "main.ts:10 Object.assign on Error, not on the object's own `this`",
      'main.ts:11 assigns through a prototype',
      'scripts/build.js:1 a build step that rewrites code as it loads it',
      'jest.config.js:1 a jest transform keyed on a package path',
      "jest.config.js:1 jest transforms packages' code",
    ]);
  });
});
