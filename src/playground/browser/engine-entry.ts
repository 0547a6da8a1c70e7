/**
 * The engine half of the bundle (dist/playground-web/engine.js): what the page
 * runs, and what the equivalence test loads in Node to compare with the CLI.
 */
export { createPlayground } from '../engine.js';
export type { PlaygroundCase, PlaygroundOutcome } from '../engine.js';
export { viewOf } from '../result-view.js';
export { encodeCase, decodeCase } from '../share.js';
export { policyTestCaseYaml, admissionReviewJson } from '../case-export.js';
