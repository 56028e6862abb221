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

const EDITED_FILES = [RESOLVE, STACK];

/** The esbuild plugin applying the edits. */
const cdktfEdits = {
  name: 'cdktf-edits',
  setup(build) {
    for (const { file, edits } of EDITED_FILES) {
      build.onLoad({ filter: file }, (args) => {
        let source = readFileSync(args.path, 'utf8');
        for (const { anchor, replacement } of edits) {
          if (!source.includes(anchor)) {
            return {
              errors: [{ text: `${args.path} changed: review scripts/bundle-edits.js (${anchor.trim()})` }],
            };
          }
          source = source.replace(anchor, replacement);
        }
        return { contents: source, loader: 'js' };
      });
    }
  },
};

module.exports = { cdktfEdits, EDITED_FILES };
