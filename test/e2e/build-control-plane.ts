/**
 * Makes the end-to-end control plane available, building it when needed; CI calls this before
 * `npm run test:e2e`:
 *
 *   node --import tsx test/e2e/build-control-plane.ts
 *
 * It uses KUBEBUILDER_ASSETS when that folder has etcd and kube-apiserver, else the cache
 * `${XDG_CACHE_HOME:-$HOME/.cache}/portcullis/kube/<version>/`, else runs `go build` of
 * test/e2e/control-plane into that cache (progress every 15 s). Exit status 0 when etcd,
 * kube-apiserver and kubectl are ready; 1 (with the reason) otherwise.
 */
import { checkAvailability, resolveBinaries } from './harness/binaries.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const started = Date.now();
const availability = await checkAvailability();
if (!availability.ok) {
  log(`build-control-plane: cannot provide the e2e control plane: ${availability.reason}`);
  process.exit(1);
}
try {
  const binaries = await resolveBinaries({ log });
  log(
    `build-control-plane: ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${binaries.source}): ` +
      `kube-apiserver ${binaries.apiserverVersion} ${binaries.kubeApiserver}, etcd ${binaries.etcd}, kubectl ${binaries.kubectl}`,
  );
} catch (err) {
  log(`build-control-plane: ${(err as Error).message}`);
  process.exit(1);
}
