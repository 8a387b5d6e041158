// A jest reporter that writes the run's totals as JSON (test-reports/jest-summary.json).
// .ci/run prints its closing `N passed, N failed` line from this file, not from jest's
// console summary. Plain CommonJS so jest loads it without a transform.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(this.rootDir, 'test-reports');
    fs.mkdirSync(dir, { recursive: true });
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      pending: results.numPendingTests + results.numTodoTests,
      total: results.numTotalTests,
      // A suite that fails to load has no failed tests but is a failure all the same.
      failedSuites: results.numFailedTestSuites,
      runtimeErrorSuites: results.numRuntimeErrorTestSuites,
    };
    fs.writeFileSync(path.join(dir, 'jest-summary.json'), JSON.stringify(summary, null, 2) + '\n');
  }
}

module.exports = SummaryReporter;
