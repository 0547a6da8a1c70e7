/** CaseOutcome is the verdict on one test case. */
export interface CaseOutcome {
  file: string;
  suite: string;
  name: string;
  status: 'pass' | 'fail' | 'skip';
  /** failures are what differed (fail), or why the case was skipped (skip). */
  failures: string[];
}

/** SuiteOutcome is what a suite itself got wrong (e.g. a policy it names is not loaded). */
export interface SuiteOutcome {
  file: string;
  name: string;
  problems: string[];
}

/** TestReport is a whole `portcullis test` run. */
export interface TestReport {
  /** loaded is the `loaded N policies, M CRDs, K conversions` line. */
  loaded: string;
  suites: SuiteOutcome[];
  cases: CaseOutcome[];
  /** problem fails the run as a whole (no suite, no case). */
  problem?: string;
}

function counts(report: TestReport) {
  const count = (status: CaseOutcome['status']) => report.cases.filter((c) => c.status === status).length;
  return { passed: count('pass'), failed: count('fail') + report.suites.filter((s) => s.problems.length > 0).length, skipped: count('skip') };
}

function text(report: TestReport): string {
  const lines: string[] = [];
  for (const suite of report.suites) {
    if (suite.problems.length > 0) lines.push(`FAIL ${suite.file}: ${suite.name}`, ...suite.problems.map((p) => `     ${p}`));
  }
  for (const c of report.cases) {
    lines.push(`${c.status.toUpperCase()} ${c.file}: ${c.suite}: ${c.name}`);
    lines.push(...c.failures.map((f) => `     ${f}`));
  }
  if (report.problem) lines.push(`FAIL ${report.problem}`);
  const { passed, failed, skipped } = counts(report);
  lines.push(`${passed} passed, ${failed + (report.problem ? 1 : 0)} failed, ${skipped} skipped`);
  return `${lines.join('\n')}\n`;
}

const xml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] as string).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

function junit(report: TestReport): string {
  const bySuite = new Map<string, { file: string; cases: CaseOutcome[]; problems: string[] }>();
  for (const suite of report.suites) bySuite.set(`${suite.file}\u0000${suite.name}`, { file: suite.file, cases: [], problems: suite.problems });
  for (const c of report.cases) bySuite.get(`${c.file}\u0000${c.suite}`)?.cases.push(c);
  const { passed, failed, skipped } = counts(report);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="portcullis test" tests="${passed + failed + skipped}" failures="${failed}" skipped="${skipped}">`];
  for (const [key, suite] of bySuite) {
    if (suite.cases.length === 0 && suite.problems.length === 0) continue;
    const name = key.split('\u0000')[1] as string;
    const failures = suite.cases.filter((c) => c.status === 'fail').length + (suite.problems.length > 0 ? 1 : 0);
    const skips = suite.cases.filter((c) => c.status === 'skip').length;
    out.push(`  <testsuite name="${xml(name)}" file="${xml(suite.file)}" tests="${suite.cases.length + (suite.problems.length > 0 ? 1 : 0)}" failures="${failures}" skipped="${skips}">`);
    if (suite.problems.length > 0) {
      out.push(`    <testcase name="suite" classname="${xml(name)}" file="${xml(suite.file)}"><failure message="${xml(suite.problems[0] as string)}">${xml(suite.problems.join('\n'))}</failure></testcase>`);
    }
    for (const c of suite.cases) {
      const open = `    <testcase name="${xml(c.name)}" classname="${xml(name)}" file="${xml(c.file)}"`;
      if (c.status === 'pass') out.push(`${open}/>`);
      else if (c.status === 'skip') out.push(`${open}><skipped message="${xml(c.failures[0] ?? '')}"/></testcase>`);
      else out.push(`${open}><failure message="${xml(c.failures[0] ?? '')}">${xml(c.failures.join('\n'))}</failure></testcase>`);
    }
    out.push('  </testsuite>');
  }
  if (report.problem) out.push(`  <testsuite name="portcullis" tests="1" failures="1"><testcase name="run" classname="portcullis"><failure message="${xml(report.problem)}"/></testcase></testsuite>`);
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** formatTestReport renders a report as text (one line per case and a summary), JSON, or JUnit XML. */
export function formatTestReport(report: TestReport, format: 'text' | 'json' | 'junit'): string {
  if (format === 'text') return text(report);
  if (format === 'junit') return junit(report);
  const { passed, failed, skipped } = counts(report);
  const summary = { passed, failed: failed + (report.problem ? 1 : 0), skipped };
  return `${JSON.stringify({ loaded: report.loaded, summary, ...(report.problem ? { problem: report.problem } : {}), suites: report.suites, cases: report.cases }, null, 2)}\n`;
}
