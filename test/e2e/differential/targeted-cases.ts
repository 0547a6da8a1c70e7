/**
 * Targeted cases of the differential test, on the Probe CRD
 * (test/fixtures/differential-crds/probes.yaml): every format with the
 * values kube-openapi's own tests use (and the ones issue 12 found: byte "",
 * duration "5 minutes"), and the shapes where the decoded view matters (a
 * dropped null under minProperties or oneOf, an unknown key in a map-list
 * item, a key kept by preserve-unknown-fields). Generated objects rarely hit
 * these; hand-written ones do.
 */
import { createMutateHandler, createValidateHandler } from '../../../src/admission/handlers.js';
import type { AdmissionRequest } from '../../../src/admission/review.js';
import type { JsonObject, JsonValue } from '../../../src/kube/types.js';
import type { RuntimeConfig } from '../../../src/server/admission-runtime.js';
import { compileDecodedView } from '../../../src/schema/decoded-view.js';
import type { ApiClient } from './apiserver-client.js';
import { compareOutcomes, fromApiserver, fromPortcullis } from './compare.js';
import type { CaseResult } from './run-differential.js';

const FORMAT_VALUES: Record<string, JsonValue[]> = {
  bsonobjectid: ['507f1f77bcf86cd799439011', '507f1f77bcf86cd79943901'],
  uri: ['http://somewhere.com', 'somewhere.com', '/absolute/path', 'mailto:a@b.c', '', 'http://a b.com', 'http://x.com/%zz', 'http://x.com:80a/'],
  email: ['blah@gmail.com', 'somebody@somewhere@com', 'root@localhost', 'Miles.O\'Brian@example.com', '" "@example.com', '""@example.com', 'Jane Doe <jane@example.com>', 'jane@example.com (Jane)', 'a@[127.0.0.1]', 'a..b@c', 'postmaster@☁→❄.ws', 'x@y.'],
  hostname: ['somewhere.com', 'my-cool-host', 'x-y', 'ex$ample', '1.1.1.1', 'www.example-.org', 'www.詹姆斯.x', 'a.b.c.d', 'x.', '<foo>'],
  ipv4: ['127.0.0.1', '192.168.1.01', '198.168.254.2.2', '::ffff:1.2.3.4', '256.1.1.1'],
  ipv6: ['::1', '127.0.0.1', '1::2::3', 'fe80::1%eth0', '::ffff:1.2.3.4'],
  cidr: ['192.0.2.1/24', '192.0.02.1/24', '2001:db8:a0b:12f0::1/32', '198.168.254.2', '10.0.0.0/33', '10.0.0.0/032'],
  mac: ['01:02:03:04:05:06', '01:02:03:04:05', '0102.0304.0506', '01-02-03-04-05-06-07-08'],
  uuid: ['a0b1c2d3-e4f5-0617-2839-4a5b6c7d8e9f', 'not-a-uuid'],
  uuid3: ['a0b1c2d3-e4f5-3617-2839-4a5b6c7d8e9f', 'a0b1c2d3-e4f5-4617-8839-4a5b6c7d8e9f'],
  uuid4: ['a0b1c2d3-e4f5-4617-8839-4a5b6c7d8e9f', 'a0b1c2d3-e4f5-4617-2839-4a5b6c7d8e9f'],
  uuid5: ['a0b1c2d3-e4f5-5617-9839-4a5b6c7d8e9f', 'not-a-uuid'],
  isbn: ['0321751043', '836217463', '978-0321751041'],
  isbn10: ['0321751043', '0321751044'],
  isbn13: ['978-0321751041', '978-0321751042'],
  creditcard: ['4111-1111-1111-1111', '9999-9999-9999-999', '4111-1111-1111-1112'],
  ssn: ['111-11-1111', '999 99 999', '111111111'],
  hexcolor: ['#FFFFFF', '#fffffffz', 'fff'],
  rgbcolor: ['rgb(255,255,255)', 'rgb(300,0,0)', 'rgb(01,0,0)'],
  byte: ['aGVsbG8=', '', 'aGVsbG8', 'YWJj'],
  password: ['', 'anything at all'],
  date: ['2024-02-29', '2023-02-29', '2023-1-01'],
  duration: ['5 minutes', '1h30m', '-1.5s', '0', '', 'forever', '45 wekk', 'P1D', '3 days ago'],
  datetime: ['2014-12-15T19:30:20.000Z', '2014-12-15t19:30:20z', '2014-12-15T24:00:00Z', '2014-12-15T19:30:20', '2014-02-30T19:30:20Z'],
  shortname: ['abc', 'ABC', 'a.b'],
  longname: ['a.b-c.d', 'a..b'],
  int32: [5, 1.5, 'x', 3000000000, -2147483648],
  int64: [5, 1.5],
  float: [1, 1.5, true, 1e39],
  double: [2, 'x'],
  byteOnInteger: [5, 'aGk=', 1.5],
  unknownFormat: ['anything'],
  bounded: [1, 2],
};

const SHAPES: [string, JsonObject][] = [
  ['counted {a: null}: the dropped null leaves minProperties unmet', { counted: { a: null } }],
  ['counted {a: null, b: null}: a nullable null stays', { counted: { a: null, b: null } }],
  ['counted with a pruned key', { counted: { a: '1', b: '2', zz: '3' } }],
  ['counted with only a pruned key: minProperties unmet', { counted: { zz: '1' } }],
  ['choice {x, y: null}: one branch once the null is dropped', { choice: { x: 'v', y: null } }],
  ['choice {x: null, y: null}: no branch', { choice: { x: null, y: null } }],
  ['entries items equal but for a pruned key: duplicate', { entries: [{ k: 'a', extra: 1 }, { k: 'a', extra: 2 }] }],
  ['entries with a null v and a long v', { entries: [{ k: 'a', v: null }, { k: 'b', v: 'toolong' }] }],
  ['free with n bad under preserve-unknown-fields', { free: { n: 'bad', other: null } }],
  ['spec null', null as unknown as JsonObject],
];

/** runTargeted sends each targeted case to both sides as a dry-run create. */
export async function runTargeted(options: { runtime: RuntimeConfig; client: ApiClient; namespace: string }): Promise<CaseResult[]> {
  const gvk = { group: 'diff.portcullis.dev', version: 'v1', kind: 'Probe' };
  const compiled = options.runtime.crds.lookup(gvk);
  if (compiled?.schema === undefined) throw new Error('the Probe CRD is not loaded');
  const view = compileDecodedView(compiled.schema);
  const mutate = createMutateHandler({ chain: () => options.runtime.chain });
  const validate = createValidateHandler({ chain: () => options.runtime.chain });
  const base = `/apis/${gvk.group}/${gvk.version}/namespaces/${options.namespace}/probes`;
  const cases: [string, JsonValue][] = [
    ...Object.entries(FORMAT_VALUES).flatMap(([field, values]) => values.map((v): [string, JsonValue] => [`format ${field} ${JSON.stringify(v)}`, { formats: { [field]: v } }])),
    ...SHAPES,
  ];
  const results: CaseResult[] = [];
  for (const [i, [what, spec]] of cases.entries()) {
    const object: JsonObject = { apiVersion: `${gvk.group}/${gvk.version}`, kind: gvk.kind, metadata: { name: `t-${i}`, namespace: options.namespace, creationTimestamp: null }, spec, status: { phase: null } };
    const request = (o: JsonObject): AdmissionRequest => ({
      uid: `t-${i}`,
      kind: gvk,
      resource: { group: gvk.group, version: gvk.version, resource: 'probes' },
      name: `t-${i}`,
      namespace: options.namespace,
      operation: 'CREATE',
      userInfo: { username: 'admin' },
      object: o,
      oldObject: null,
      dryRun: true,
    });
    const answer = await options.client.create(base, structuredClone(object));
    const apiserver = fromApiserver(answer);
    const ours = fromPortcullis(object, mutate(request(structuredClone(object))), (o) => view(o).object);
    const differences = compareOutcomes(apiserver, ours);
    if (apiserver.allowed && !validate(request(structuredClone(answer.body))).allowed) differences.push('validate');
    results.push({ crd: compiled.crd.metadata.name, version: gvk.version, variant: what, object, apiserver, ours, differences });
  }
  return results;
}
