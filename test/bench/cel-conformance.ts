/**
 * Runs a sample of the CEL conformance tests (cel-spec testdata shipped in
 * @bufbuild/cel-spec) through Portcullis's CEL environment and prints a pass
 * rate per suite. Tests needing protobuf messages, containers or type
 * values are skipped (policies never see those).
 * Run: node --import tsx test/bench/cel-conformance.ts [--failures]
 */
import { tests as conformance } from '@bufbuild/cel-spec/testdata/conformance.js';
import { createCelEnvironment } from '../../src/cel/environment.js';
import { emptyStats } from '../../src/cel/values.js';

type Json = any;
interface Suite { name: string; suites?: Suite[]; tests?: { original: Json }[] }

const SUITES = ['basic', 'comparisons', 'conversions', 'fp_math', 'integer_math', 'lists', 'logic', 'macros', 'string', 'string_ext', 'fields', 'parse'];
const UNSUPPORTED = /TestAllTypes|google\.protobuf|proto[23]?\.|\.Type|type\(|NestedEnum|GlobalEnum|optional|Duration|duration\(|timestamp/;

function fromValue(v: Json): unknown {
  if ('int64Value' in v) return BigInt(v.int64Value);
  if ('uint64Value' in v) return { uint: String(v.uint64Value) };
  if ('doubleValue' in v) return typeof v.doubleValue === 'string' ? Number(v.doubleValue.replace('Infinity', 'Infinity')) : v.doubleValue;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('nullValue' in v) return null;
  if ('bytesValue' in v) return { bytes: Buffer.from(v.bytesValue, 'base64').toString('hex') };
  if ('listValue' in v) return (v.listValue.values ?? []).map(fromValue);
  if ('mapValue' in v) return new Map((v.mapValue.entries ?? []).map((e: Json) => [fromValue(e.key), fromValue(e.value)]));
  throw new Error(`unsupported value ${JSON.stringify(v)}`);
}

function toBinding(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toBinding(x)]));
  if (Array.isArray(v)) return v.map(toBinding);
  if (v !== null && typeof v === 'object') throw new Error('unsupported binding');
  return v;
}

function normalize(v: unknown): unknown {
  if (typeof v === 'bigint') return `int:${v}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'double:NaN' : `double:${Object.is(v, -0) ? 0 : v}`;
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('hex')}`;
  if (Array.isArray(v)) return v.map(normalize);
  if (v instanceof Map) return [...v].map(([k, x]) => [normalize(k), normalize(x)]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('uint' in o && Object.keys(o).length === 1) return `uint:${o['uint']}`;
    if ('bytes' in o && Object.keys(o).length === 1) return `bytes:${o['bytes']}`;
    if (o.constructor?.name === 'UnsignedInt') return `uint:${String(v)}`;
    return Object.keys(o).map((k) => [normalize(k), normalize(o[k])]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return v;
}

const showFailures = process.argv.includes('--failures');
let total = 0;
let passed = 0;
let skipped = 0;
for (const top of (conformance as Suite).suites ?? []) {
  if (!SUITES.includes(top.name)) continue;
  let suitePass = 0;
  let suiteTotal = 0;
  const visit = (suite: Suite, prefix: string) => {
    for (const { original: t } of suite.tests ?? []) {
      if (t.container || UNSUPPORTED.test(t.expr) || (t.typeEnv ?? []).some((d: Json) => !d.ident?.type?.primitive && !d.ident?.type?.dyn) || t.value?.typeValue || t.value?.objectValue || t.value?.enumValue) {
        skipped++;
        continue;
      }
      let bindings: Record<string, unknown>;
      let expected: unknown;
      try {
        bindings = Object.fromEntries(Object.entries(t.bindings ?? {}).map(([k, b]: [string, Json]) => [k, toBinding(fromValue(b.value))]));
        expected = t.evalError ? undefined : fromValue(t.value ?? { boolValue: true });
      } catch {
        skipped++;
        continue;
      }
      suiteTotal++;
      let ok = false;
      let got: unknown;
      try {
        const env = createCelEnvironment({ variables: Object.fromEntries([...(t.typeEnv ?? []).map((d: Json) => [d.name, 'dyn']), ...Object.keys(bindings).map((k) => [k, 'dyn'])]) });
        got = env.compile(t.expr).evaluateConverted(bindings, emptyStats());
        ok = !t.evalError && JSON.stringify(normalize(got)) === JSON.stringify(normalize(expected));
      } catch (err) {
        got = `error: ${(err as Error).message}`;
        ok = Boolean(t.evalError);
      }
      if (ok) suitePass++;
      else if (showFailures) console.log(`  FAIL ${prefix}/${t.name}: ${t.expr} => ${typeof got === 'bigint' ? `${got}n` : JSON.stringify(normalize(got))}, want ${t.evalError ? 'error' : JSON.stringify(normalize(expected))}`);
    }
    for (const sub of suite.suites ?? []) visit(sub, `${prefix}/${sub.name}`);
  };
  visit(top, top.name);
  total += suiteTotal;
  passed += suitePass;
  console.log(`${top.name.padEnd(14)} ${String(suitePass).padStart(4)}/${String(suiteTotal).padEnd(4)} (${((suitePass / Math.max(suiteTotal, 1)) * 100).toFixed(0)}%)`);
}
console.log(`total          ${passed}/${total} (${((passed / total) * 100).toFixed(1)}%), ${skipped} skipped (protobuf messages, types, timestamps, optionals)`);
