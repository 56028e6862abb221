/**
 * Jest transform for the cdktf files named in scripts/bundle-edits.js JEST_EDITED_FILES: the same
 * edit the app bundle makes (creation stacks formatted when read, not when every token is made), so
 * the tests' synthesis skips the cost the app skips. The cache key covers the edits file.
 */
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { applyEdits, JEST_EDITED_FILES } = require('../../scripts/bundle-edits');

const EDITS_SOURCE = readFileSync(join(__dirname, '..', '..', 'scripts', 'bundle-edits.js'), 'utf8');

module.exports = {
  process(source, path) {
    const file = JEST_EDITED_FILES.find((f) => f.file.test(path));
    return { code: file ? applyEdits(path, source, file.edits) : source };
  },
  getCacheKey(source, path) {
    return createHash('sha256')
      .update(EDITS_SOURCE)
      .update('\0')
      .update(path)
      .update('\0')
      .update(source)
      .digest('hex');
  },
};
