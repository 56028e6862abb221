const Sequencer = require('@jest/test-sequencer').default;

/**
 * The terraform suite first (it is the longest and its terraform processes run beside the other
 * worker), then jest's own order: failed first, then slowest first by the durations of earlier runs,
 * so the short spec groups fill in at the end.
 */
class SlowestFirst extends Sequencer {
  sort(tests) {
    const weight = (t) => (t.path.includes('terraform') ? 0 : 1);
    return [...super.sort(tests)].sort((a, b) => weight(a) - weight(b));
  }
}

module.exports = SlowestFirst;
