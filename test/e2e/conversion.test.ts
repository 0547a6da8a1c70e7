/**
 * End-to-end conversion through a real etcd + kube-apiserver + kubectl: the docs' CronTab CRD
 * (manifests/crds/crontabs.yaml, installed with its real schemas) sends its conversions to
 * `portcullis serve`'s /convert, which runs the declarative converter in
 * policies/conversions/crontabs.yaml.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { promisify } from 'node:util';
import { e2eSuite, mustSucceed, REPO_ROOT, startE2E, type E2EEnv, scenarioWithDiagnostics } from './harness/index.js';

const execFileAsync = promisify(execFile);

const V1BETA1 = 'crontabs.v1beta1.example.com';
const V1 = 'crontabs.v1.example.com';
const DATA = 'portcullis.dev/conversion-data';
const SPEC = { cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 2 };

type CronTab = { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string>; uid: string }; [field: string]: unknown };

function cronTab(version: 'v1beta1' | 'v1', name: string, fields: Record<string, unknown>): object {
  return { apiVersion: `example.com/${version}`, kind: 'CronTab', metadata: { name }, spec: SPEC, ...fields };
}

await e2eSuite('conversion through a real kube-apiserver', () => {
  let env: E2EEnv;

  const get = async (resource: string, name: string): Promise<CronTab> =>
    JSON.parse(mustSucceed(await env.kubectl(['get', resource, name, '-o', 'json']), `get ${resource}/${name}`)) as CronTab;
  const list = async (resource: string): Promise<CronTab[]> =>
    (JSON.parse(mustSucceed(await env.kubectl(['get', resource, '-o', 'json']), `list ${resource}`)) as { items: CronTab[] }).items;
  const create = async (object: object) => mustSucceed(await env.kubectl(['create', '-f', '-'], { input: object }), 'create');
  const scenario = scenarioWithDiagnostics(() => env);

  before(async () => {
    env = await startE2E({ crds: 'manifests/crds/crontabs.yaml', clusterSchemas: 'as-is', webhooks: false });
    // The CRD's conversion stanza reaches the apiserver's converter asynchronously.
    await env.eventually(async () => {
      await env.kubectl(['apply', '-f', '-'], { input: cronTab('v1beta1', 'probe', { hostPort: 'probe:1' }) });
      const r = await env.kubectl(['get', V1, 'probe', '-o', 'json']);
      return r.code === 0 && r.stdout.includes('"host": "probe"');
    }, 'conversion through the webhook', 30_000);
    mustSucceed(await env.kubectl(['delete', V1BETA1, 'probe']), 'delete probe');
  });

  after(async () => {
    await env?.stop();
  });

  scenario('a v1beta1 CronTab reads as v1 with host and port, and back as v1beta1 unchanged', async () => {
    await create(cronTab('v1beta1', 'local-crontab', { hostPort: 'localhost:1234' }));
    const asV1 = await get(V1, 'local-crontab');
    assert.equal(asV1.apiVersion, 'example.com/v1');
    assert.equal(asV1.kind, 'CronTab');
    assert.equal(asV1['host'], 'localhost');
    assert.equal(asV1['port'], '1234');
    assert.equal(asV1['hostPort'], undefined);
    assert.deepEqual(asV1['spec'], SPEC);
    assert.equal(asV1.metadata.annotations?.[DATA], undefined, 'nothing is lost going to v1, so no conversion data');

    const asV1beta1 = await get(V1BETA1, 'local-crontab');
    assert.equal(asV1beta1.apiVersion, 'example.com/v1beta1');
    assert.equal(asV1beta1['hostPort'], 'localhost:1234');
    assert.equal(asV1beta1['host'], undefined);
    assert.equal(asV1beta1.metadata.uid, asV1.metadata.uid);
  });

  scenario('a v1 CronTab is stored through the webhook and reads back exactly, even a host without a port', async () => {
    await create(cronTab('v1', 'remote-crontab', { host: 'example.com', port: '2345' }));
    assert.equal((await get(V1BETA1, 'remote-crontab'))['hostPort'], 'example.com:2345');

    await create(cronTab('v1', 'host-only', { host: 'db.internal' }));
    const stored = await get(V1BETA1, 'host-only');
    assert.equal(stored['hostPort'], undefined);
    assert.equal(stored['host'], undefined);
    const data = JSON.parse(stored.metadata.annotations?.[DATA] ?? '{}') as { v1?: { set?: object; hash?: Record<string, string> } };
    assert.deepEqual(data.v1?.set, { '/host': 'db.internal' });
    assert.deepEqual(Object.keys(data.v1?.hash ?? {}), ['/host'], 'the copy carries the hash of the fields it stands for');
    const back = await get(V1, 'host-only');
    assert.equal(back['host'], 'db.internal');
    assert.equal(back['port'], undefined);
    assert.equal(back.metadata.annotations?.[DATA], undefined, 'the annotation is gone after the round trip');
  });

  scenario('a v1 update through kubectl apply is converted for storage and keeps the other fields', async () => {
    const current = await get(V1, 'remote-crontab');
    const updated = { ...current, port: '3456', metadata: { name: current.metadata.name } };
    mustSucceed(await env.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=e2e', '-f', '-'], { input: updated }), 'apply v1 update');
    const stored = await get(V1BETA1, 'remote-crontab');
    assert.equal(stored['hostPort'], 'example.com:3456');
    assert.deepEqual(stored['spec'], SPEC);
  });

  scenario('a CronTab whose hostPort has no port reads as v1 with just the host, and back exactly', async () => {
    await create(cronTab('v1beta1', 'no-port', { hostPort: 'localhost' }));
    const asV1 = await get(V1, 'no-port');
    assert.equal(asV1['host'], 'localhost');
    assert.equal(asV1['port'], undefined);
    assert.equal((await get(V1BETA1, 'no-port'))['hostPort'], 'localhost');
    mustSucceed(await env.kubectl(['delete', V1BETA1, 'no-port']), 'delete no-port');
  });

  scenario('issue 14: a host set through v1beta1 and then a port patched through v1 are both stored, and every version reads them', async () => {
    await create(cronTab('v1', 'lost-write', { host: 'db.internal' }));
    assert.match((await get(V1BETA1, 'lost-write')).metadata.annotations?.[DATA] ?? '', /db\.internal/, 'the host travels in the annotation');
    mustSucceed(await env.kubectl(['patch', V1BETA1, 'lost-write', '--type=merge', '-p', '{"hostPort":"new.internal:7000"}']), 'patch hostPort through v1beta1');
    const read = await get(V1, 'lost-write');
    assert.deepEqual([read['host'], read['port']], ['new.internal', '7000'], 'the old host does not come back from the annotation');
    mustSucceed(await env.kubectl(['patch', V1, 'lost-write', '--type=merge', '-p', '{"port":"7001"}']), 'patch port through v1');
    assert.equal((await get(V1BETA1, 'lost-write'))['hostPort'], 'new.internal:7001', 'the v1 write is stored');
    const again = await get(V1, 'lost-write');
    assert.deepEqual([again['host'], again['port']], ['new.internal', '7001']);
    mustSucceed(await env.kubectl(['delete', V1, 'lost-write']), 'delete lost-write');
  });

  scenario('a hostPort stored as a number under an older schema reads, lists, watches and deletes through v1', async () => {
    const path = '/spec/versions/0/schema/openAPIV3Schema/properties/hostPort';
    const setSchema = async (schema: object) =>
      mustSucceed(await env.kubectl(['patch', 'crd', 'crontabs.example.com', '--type=json', '-p', JSON.stringify([{ op: 'replace', path, value: schema }])]), 'patch hostPort schema');
    await setSchema({ 'x-kubernetes-int-or-string': true });
    await env.eventually(async () => (await env.kubectl(['create', '-f', '-'], { input: cronTab('v1beta1', 'numeric-port', { hostPort: 8080 }) })).code === 0, 'a numeric hostPort to be accepted');
    await setSchema({ type: 'string', description: 'host and port as "host:port".' });
    assert.equal((await get(V1BETA1, 'numeric-port'))['hostPort'], 8080, 'stored as a number');

    const asV1 = await get(V1, 'numeric-port');
    assert.equal(asV1['port'], '8080');
    assert.equal(asV1['host'], undefined);
    const listed = await list(V1);
    assert.ok(listed.some((o) => o.metadata.name === 'numeric-port'), 'a v1 LIST includes it');
    const watch = await env.kubectl(['get', V1, '--watch', '--output-watch-events', '-o', 'json', '--request-timeout=3s']);
    assert.match(watch.stdout, /"name": ?"numeric-port"/, `a v1 WATCH sends it (stderr: ${watch.stderr.trim()})`);
    assert.doesNotMatch(watch.stderr, /conversion webhook/);
    mustSucceed(await env.kubectl(['delete', V1, 'numeric-port']), 'delete numeric-port through v1');
  });

  scenario('a field too large to carry in the annotation fails the write with a message naming the object, versions and field', async () => {
    const result = await env.kubectl(['create', '-f', '-'], { input: cronTab('v1', 'huge-host', { host: 'h'.repeat(140 * 1024) }) });
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      new RegExp(
        `conversion webhook for example.com/v1, Kind=CronTab failed: ${env.namespace}/huge-host: example.com/v1 -> example.com/v1beta1: ` +
          `metadata\\.annotations\\[portcullis\\.dev/conversion-data\\]: the fields the target version has no place for \\(v1 /host\\) need \\d+ bytes of conversion data, more than the 131072 allowed`,
      ),
    );
    assert.notEqual((await env.kubectl(['get', V1BETA1, 'huge-host'])).code, 0, 'nothing was stored');
  });

  scenario('objects stored in both versions list in either version', async () => {
    // Make v1 the storage version: objects created from now on are stored as v1, the earlier ones stay v1beta1.
    const patch = [
      { op: 'replace', path: '/spec/versions/0/storage', value: false },
      { op: 'replace', path: '/spec/versions/1/storage', value: true },
    ];
    mustSucceed(await env.kubectl(['patch', 'crd', 'crontabs.example.com', '--type=json', '-p', JSON.stringify(patch)]), 'switch storage version');
    await env.eventually(async () => {
      const r = await env.kubectl(['get', 'crd', 'crontabs.example.com', '-o', 'jsonpath={.status.storedVersions}']);
      return r.stdout.includes('v1beta1') && r.stdout.includes('"v1"');
    }, 'both stored versions to be recorded');
    await create(cronTab('v1beta1', 'stored-as-v1', { hostPort: 'new.example.com:80' }));

    const names = ['host-only', 'local-crontab', 'remote-crontab', 'stored-as-v1'];
    const asV1 = await list(V1);
    assert.deepEqual(asV1.map((o) => o.metadata.name).sort(), names);
    for (const item of asV1) {
      assert.equal(item.apiVersion, 'example.com/v1');
      assert.equal(item['hostPort'], undefined);
    }
    assert.equal(asV1.find((o) => o.metadata.name === 'stored-as-v1')?.['host'], 'new.example.com');

    const asV1beta1 = await list(V1BETA1);
    assert.deepEqual(asV1beta1.map((o) => o.metadata.name).sort(), names);
    const hostPorts = Object.fromEntries(asV1beta1.map((o) => [o.metadata.name, o['hostPort']]));
    assert.deepEqual(hostPorts, {
      'host-only': undefined,
      'local-crontab': 'localhost:1234',
      'remote-crontab': 'example.com:3456',
      'stored-as-v1': 'new.example.com:80',
    });
    for (const item of asV1beta1) assert.equal(item.apiVersion, 'example.com/v1beta1');
  });

  scenario('the apiserver may speak ConversionReview v1beta1 too', async () => {
    await env.pointConversionWebhook('crontabs.example.com', ['v1beta1']);
    const read = await env.eventually(async () => {
      const r = await env.kubectl(['get', V1BETA1, 'stored-as-v1', '-o', 'json']);
      return r.code === 0 && env.diagnostics().includes('"reviewVersion":"apiextensions.k8s.io/v1beta1"') ? (JSON.parse(r.stdout) as CronTab) : false;
    }, 'a v1beta1 ConversionReview to be answered');
    assert.equal(read['hostPort'], 'new.example.com:80');
  });

  scenario('portcullis migrate-storage rewrites every object in the storage version and trims status.storedVersions, so v1beta1 can go', async () => {
    // The earlier scenarios made v1 the storage version with objects still stored as v1beta1.
    const storedVersions = async () => mustSucceed(await env.kubectl(['get', 'crd', 'crontabs.example.com', '-o', 'jsonpath={.status.storedVersions}']), 'read storedVersions');
    assert.equal(await storedVersions(), '["v1beta1","v1"]');
    const dropV1beta1 = [
      { op: 'test', path: '/spec/versions/0/name', value: 'v1beta1' },
      { op: 'remove', path: '/spec/versions/0' },
      { op: 'replace', path: '/spec/conversion', value: { strategy: 'None' } },
    ];
    const refused = await env.kubectl(['patch', 'crd', 'crontabs.example.com', '--type=json', '-p', JSON.stringify(dropV1beta1)]);
    assert.notEqual(refused.code, 0, 'the apiserver refuses to drop a version objects are still stored in');
    assert.match(refused.stderr, /storedVersions/);

    const run = await execFileAsync(process.execPath, [join(REPO_ROOT, 'dist/main.js'), 'migrate-storage', 'crontabs.example.com', '--kubeconfig', env.kubeconfigPath, '--chunk-size', '2'], { timeout: 60_000 });
    const lines = run.stderr.trim().split('\n');
    assert.ok(lines.length >= 3, `progress after every page of 2: ${run.stderr}`);
    assert.match(lines[0] ?? '', /^migrate-storage: crontabs\.example\.com: \d+ rewritten, \d+ already current, 0 deleted meanwhile, 0 failed so far$/);
    assert.match(lines.at(-1) ?? '', /^migrate-storage: crontabs\.example\.com: 3 rewritten, 1 already current, 0 deleted meanwhile, 0 failed; status\.storedVersions \["v1beta1","v1"\] -> \["v1"\]$/);
    assert.equal(await storedVersions(), '["v1"]');

    // Every object is now stored as v1: with v1beta1 gone and no webhook at all, they still read with host and port.
    mustSucceed(await env.kubectl(['patch', 'crd', 'crontabs.example.com', '--type=json', '-p', JSON.stringify(dropV1beta1)]), 'drop v1beta1');
    const hosts = await env.eventually(async () => {
      const r = await env.kubectl(['get', V1, '-o', 'json']);
      if (r.code !== 0) return false;
      const items = (JSON.parse(r.stdout) as { items: CronTab[] }).items;
      return Object.fromEntries(items.map((o) => [o.metadata.name, [o['host'], o['port'], o['hostPort'], o.metadata.annotations?.[DATA]]]));
    }, 'v1 to be served alone');
    assert.deepEqual(hosts, {
      'host-only': ['db.internal', undefined, undefined, undefined],
      'local-crontab': ['localhost', '1234', undefined, undefined],
      'remote-crontab': ['example.com', '3456', undefined, undefined],
      'stored-as-v1': ['new.example.com', '80', undefined, undefined],
    });
  });
});
