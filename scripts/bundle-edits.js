/**
 * Load-time edits of cdktf that the app bundle (scripts/run.js) applies: work cdktf does on every
 * value of every stack that cannot change the output. Each edit keeps cdktf's behaviour exactly (the
 * same result, the same errors with the same messages), so synthesis is unchanged byte for byte:
 * __tests__/synth-bundle.test.ts compares the app's output with cdktf's own code path, stack for
 * stack. Each edit's `probe` is text of its replacement as it appears in the bundle (esbuild
 * reprints code), which that test looks for. An anchor that is not found (a cdktf upgrade) fails the build: review the edit, do not drop it.
 */
'use strict';
const { readFileSync } = require('node:fs');

/** cdktf/lib/tokens/private/resolve.js: `resolve` runs for every value, at least twice per synth. */
const RESOLVE = {
  file: /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]resolve\.js$/,
  edits: [
    {
      // Untokenized strings and booleans (almost every value) return at once: the tests are the ones
      // cdktf applies to them next (no token marker, no match of its number-token pattern, not a
      // map-token placeholder, not nested past its depth limit), without building a context and
      // two token scanners first. ~10% of synthesis.
      anchor: 'function resolve(obj, options) {\n',
      probe: 'function plainValue(x, depth) {',
      replacement: `function plainValue(x, depth) {
    return depth <= 200 && (typeof x === "boolean" || (typeof x === "string" &&
        x.indexOf("TfToken[") === -1 && !/[-|\\d|.\\+]+(e[-|\\d|.|e|E|\\+]+)/.test(x) &&
        x !== token_1.Token.STRING_MAP_TOKEN_VALUE && x !== token_1.Token.ANY_MAP_TOKEN_VALUE));
}
function resolve(obj, options) {
    if (plainValue(obj, (options.prefix || []).length)) return obj;
`,
    },
    {
      // An object's keys and plain values skip the context cdktf builds to resolve each (a copy of
      // the path and two closures): resolving them would return them unchanged (the test above).
      anchor: '        const resolvedKey = makeContext()[0].resolve(key);\n',
      probe: 'const resolvedKey = plainValue(key, prefix.length) ? key : makeContext()[0].resolve(key);',
      replacement:
        '        const resolvedKey = plainValue(key, prefix.length) ? key : makeContext()[0].resolve(key);\n',
    },
    {
      anchor: '        const value = makeContext(key)[0].resolve(obj[key]);\n',
      probe:
        'const value = plainValue(obj[key], prefix.length + 1) ? obj[key] : makeContext(key)[0].resolve(obj[key]);',
      replacement:
        '        const value = plainValue(obj[key], prefix.length + 1) ? obj[key] : makeContext(key)[0].resolve(obj[key]);\n',
    },
    {
      // The path name is only ever interpolated into error messages: build it when one is.
      anchor: '    const pathName = "/" + prefix.join("/");\n',
      probe: 'const pathName = { toString: () => "/" + prefix.join("/") };',
      replacement: '    const pathName = { toString: () => "/" + prefix.join("/") };\n',
    },
  ],
};

/** cdktf/lib/terraform-stack.js: `toTerraform` assembles the stack from resolved fragments. */
const STACK = {
  file: /[\\/]cdktf[\\/]lib[\\/]terraform-stack\.js$/,
  edits: [
    {
      // It then resolves the whole assembled tree once more, for the stack's raw overrides, which
      // may hold tokens; everything else in it is resolved already (and resolving is idempotent).
      // Without stack overrides that third pass over every value is skipped.
      anchor:
        '        (0, util_1.deepMerge)(tf, this.rawOverrides);\n        return (0, _tokens_1.resolve)(this, tf);\n',
      replacement:
        '        (0, util_1.deepMerge)(tf, this.rawOverrides);\n' +
        '        return Object.keys(this.rawOverrides).length > 0 ? (0, _tokens_1.resolve)(this, tf) : tf;\n',
      probe: 'Object.keys(this.rawOverrides).length > 0 ? (0, _tokens_1.resolve)(this, tf) : tf',
    },
  ],
};

/**
 * cdktf/lib/tokens/private/stack-trace.js: every token (each attribute reference, each Lazy) records
 * the stack it was created at, for error messages only. cdktf formats it at once; formatting is what
 * costs (under jest, source-map-support maps every frame of every token: about half of the unit
 * tests' CPU). The frames are still captured at creation, with the same depth; they are formatted
 * when an error message first reads them, into the same lines. (The app itself skips capturing
 * them at all, main.ts skipTokenStackTraces: capture alone is ~8% of its synthesis.)
 */
const STACK_TRACE = {
  file: /[\\/]cdktf[\\/]lib[\\/]tokens[\\/]private[\\/]stack-trace\.js$/,
  edits: [
    {
      anchor: `    if (!object.stack) {
        return [];
    }
    return object.stack
        .split("\\n")
        .slice(1)
        .map((s) => s.replace(/^\\s*at\\s+/, ""));
}
`,
      probe: 'function formattedWhenRead(captured) {',
      replacement: `    return formattedWhenRead(object);
}
/** An array whose elements are the formatted frames, made on first use. */
function formattedWhenRead(captured) {
    let frames;
    const format = () => (frames ??= captured.stack
        ? captured.stack.split("\\n").slice(1).map((s) => s.replace(/^\\s*at\\s+/, ""))
        : []);
    const read = (f, value) => (typeof value === "function" ? value.bind(f) : value);
    return new Proxy([], {
        get: (_, key) => { const f = format(); return read(f, Reflect.get(f, key)); },
        has: (_, key) => Reflect.has(format(), key),
        ownKeys: () => Reflect.ownKeys(format()),
        getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(format(), key),
    });
}
`,
    },
  ],
};

/** Edits that leave synthesis byte for byte the same (proven by __tests__/synth-bundle.test.ts). */
const EDITED_FILES = [RESOLVE, STACK, STACK_TRACE];
/**
 * The edits jest applies to cdktf too (__tests__/support/cdktf-edits-transform.js): only the one that
 * touches no value, so the tests' own synthesis stays cdktf's code path for values, which
 * synth-bundle.test.ts compares the app's output against.
 */
const JEST_EDITED_FILES = [STACK_TRACE];

/** `source` with `edits` applied; throws naming the file when an anchor is gone (a cdktf upgrade). */
function applyEdits(path, source, edits) {
  for (const { anchor, replacement } of edits) {
    if (!source.includes(anchor))
      throw new Error(`${path} changed: review scripts/bundle-edits.js (${anchor.trim().split('\n')[0]})`);
    source = source.replace(anchor, () => replacement);
  }
  return source;
}

/** The esbuild plugin applying the edits. */
const cdktfEdits = {
  name: 'cdktf-edits',
  setup(build) {
    for (const { file, edits } of EDITED_FILES) {
      build.onLoad({ filter: file }, (args) => {
        try {
          return { contents: applyEdits(args.path, readFileSync(args.path, 'utf8'), edits), loader: 'js' };
        } catch (error) {
          return { errors: [{ text: error.message }] };
        }
      });
    }
  },
};

module.exports = { applyEdits, cdktfEdits, EDITED_FILES, JEST_EDITED_FILES };
