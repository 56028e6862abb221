/** Removes the run's temporary directory (see global-setup.js). */
const { rmSync } = require('node:fs');

module.exports = async function globalTeardown() {
  const dir = process.env.PLATFORM_TESTS_TMPDIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
};
