import type { ApiClient } from '../../../src/controller/api-client.js';

/**
 * LateClient wraps an ApiClient so that write responses can arrive late: while
 * holding, each write is carried out at once (the API's watch events go out),
 * but its answer reaches the caller only when a test releases it — what a
 * loaded apiserver behind a slow proxy does.
 */
export interface LateClient extends ApiClient {
  /** hold delays the answers of writes made from now on. */
  hold(): void;
  /** release delivers the held answers (the oldest n, or all), in the order chosen by pick, and stops holding when all went. */
  release(n?: number, pick?: (count: number) => number): Promise<number>;
  /** held counts answers not yet delivered. */
  held(): number;
}

/** withLateResponses returns a LateClient over api. */
export function withLateResponses(api: ApiClient): LateClient {
  let holding = false;
  const queue: Array<() => void> = [];
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
    await new Promise((r) => setImmediate(r));
  };
  function late<T>(call: () => Promise<T>): Promise<T> {
    if (!holding) return call();
    const settled = call().then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    return new Promise<T>((resolve, reject) => {
      queue.push(() => {
        void settled.then((r) => (r.ok ? resolve(r.v) : reject(r.e)));
      });
    });
  }
  return {
    list: (r, o) => api.list(r, o),
    watch: (r, o, e, d) => api.watch(r, o, e, d),
    get: (r, ns, n) => api.get(r, ns, n),
    create: (r, obj) => late(() => api.create(r, obj)),
    update: (r, obj) => late(() => api.update(r, obj)),
    patch: (r, ns, n, body, o) => late(() => api.patch(r, ns, n, body, o)),
    delete: (r, ns, n, o) => late(() => api.delete(r, ns, n, o)),
    hold() {
      holding = true;
    },
    async release(n = Infinity, pick = () => 0) {
      let done = 0;
      while (queue.length > 0 && done < n) {
        const [next] = queue.splice(Math.min(pick(queue.length), queue.length - 1), 1);
        next!();
        done++;
        await flush();
      }
      if (queue.length === 0) holding = false;
      return done;
    },
    held: () => queue.length,
  };
}
