const Sequencer = require('@jest/test-sequencer').default;

/** The terraform suite first (it is the longest), the rest by path. */
class SlowestFirst extends Sequencer {
  sort(tests) {
    const weight = (t) => (t.path.includes('terraform') ? 0 : 1);
    return [...tests].sort((a, b) => weight(a) - weight(b) || a.path.localeCompare(b.path));
  }
}

module.exports = SlowestFirst;
