/**
 * Kubernetes' own CEL test tables (apiextensions-apiserver schema/cel and
 * apiserver cel/library at the pinned release, extracted as data into
 * test/fixtures/k8s-cel/raw/ by test/conformance/extract), replayed through
 * Portcullis as CRDs and AdmissionReviews. Each suite prints its agreement
 * rate and fails below the floor stored in test/fixtures/k8s-cel/floors.json.
 * Set PCL_CONFORMANCE_VERBOSE=1 to print every disagreement and every case
 * that is not replayable, with its reason.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildSuites } from './k8s-cel/suites.js';
import type { Result } from './k8s-cel/suites.js';

const FLOORS = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../fixtures/k8s-cel/floors.json'), 'utf8')) as Record<string, number>;
const verbose = process.env['PCL_CONFORMANCE_VERBOSE'] === '1';

describe('Kubernetes CEL test tables through Portcullis', () => {
  const totals = { agree: 0, disagree: 0, na: 0 };
  for (const suite of buildSuites()) {
    it(`${suite.name} agrees at least as often as its floor`, () => {
      const outcomes: { id: string; result: Result }[] = suite.cases.map((c) => ({ id: c.id, result: c.run() }));
      const agree = outcomes.filter((o) => 'agree' in o.result && o.result.agree).length;
      const na = outcomes.filter((o) => 'na' in o.result);
      const disagree = outcomes.filter((o) => 'agree' in o.result && !o.result.agree);
      totals.agree += agree;
      totals.disagree += disagree.length;
      totals.na += na.length;
      const replayed = agree + disagree.length;
      const rate = replayed === 0 ? 0 : agree / replayed;
      console.log(`k8s-cel ${suite.name}: ${agree}/${replayed} agree (${(rate * 100).toFixed(1)}%), ${na.length} not replayable [${suite.source}]`);
      for (const d of verbose ? disagree : disagree.slice(0, 5)) console.log(`  differs: ${d.id}: ${'why' in d.result ? d.result.why : ''}`);
      if (verbose) for (const n of na) console.log(`  not replayable: ${n.id}: ${'na' in n.result ? n.result.na : ''}`);
      assert.ok(replayed > 0, 'a suite that replayed no case has failed');
      const floor = FLOORS[suite.name];
      assert.ok(floor !== undefined, `no floor for ${suite.name} in floors.json`);
      assert.ok(rate >= floor, `${suite.name} agreement ${rate.toFixed(4)} is below its floor ${floor}`);
    });
  }
  it('prints the total', () => {
    const replayed = totals.agree + totals.disagree;
    console.log(`k8s-cel total: ${totals.agree}/${replayed} agree (${((totals.agree / replayed) * 100).toFixed(1)}%), ${totals.na} not replayable`);
    assert.ok(replayed > 0);
  });
});
