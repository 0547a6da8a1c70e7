import { createHash } from 'node:crypto';
import { watch as fsWatch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { monotonicClock } from '../kube/clock.js';
import type { Clock } from '../kube/clock.js';
import { errorMessage } from '../kube/errors.js';
import { listYamlFiles } from '../kube/yaml-documents.js';
import { loadRuntimeConfig } from './admission-runtime.js';
import type { RuntimeConfig, RuntimeSources } from './admission-runtime.js';

/** WatchFunction is fs.watch's shape (never recursive), injectable for tests. */
export type WatchFunction = (target: string, listener: (event: string, file: string | null) => void) => Pick<FSWatcher, 'close' | 'on'>;

/** DEFAULT_CONFIG_RESYNC_MS is the period of the content-hash re-read that backs up the file watch: 30 s. */
export const DEFAULT_CONFIG_RESYNC_MS = 30_000;

/** ConfigReloaderOptions configures createConfigReloader. */
export interface ConfigReloaderOptions<C extends RuntimeConfig = RuntimeConfig> {
  sources: RuntimeSources;
  logger: Logger;
  /** registry receives the reload counters and the portcullis_config_* gauges. */
  registry: Registry;
  /** load compiles a configuration; default loadRuntimeConfig. */
  load?: (sources: RuntimeSources) => Promise<C>;
  /** debounceMs waits for a burst of file events (an editor's save, a ConfigMap swap) to settle; default 300 ms. */
  debounceMs?: number;
  /** resyncMs is the period of the re-read that hashes every source file and reloads when the hash differs from the one in force; 0 turns it off. Default 30 s. */
  resyncMs?: number;
  /** watch enables the file watch (default true); reload() and the re-read work either way. */
  watch?: boolean;
  /** watchFn replaces fs.watch (tests). */
  watchFn?: WatchFunction;
  /** clock runs the debounce and re-read timers and stamps loads; default monotonicClock. */
  clock?: Clock;
}

/** ConfigStatus says which configuration is in force and how the last check went. */
export interface ConfigStatus {
  /** hash is `sha256:<hex>` over the paths and contents of every source file of the configuration in force. */
  hash: string;
  /** loadedAt is when that configuration was put in force (clock ms). */
  loadedAt: number;
  /** checkedAt is when the files were last compared with it (clock ms). */
  checkedAt: number;
  /** failing describes the last attempt when it failed and the files have not changed since (the previous configuration stays in force). */
  failing?: { hash: string; error: string; at: number };
}

/** ConfigReloader keeps the RuntimeConfig in step with the policy and CRD files. */
export interface ConfigReloader<C extends RuntimeConfig = RuntimeConfig> {
  /** start loads the configuration (throws LoadError when it can't), then watches the sources and starts the re-read. */
  start(): Promise<C>;
  /** current is the configuration in force; a request reads it once, so a swap never splits one. */
  current(): C;
  /** status describes the configuration in force (throws before start). */
  status(): ConfigStatus;
  /** reload re-reads and recompiles every source now, changed or not; resolves true when a new configuration is in force. Never throws. */
  reload(): Promise<boolean>;
  /** check hashes the source files and reloads only when they differ from the configuration in force; resolves true when one was put in force. Never throws. */
  check(): Promise<boolean>;
  /** stop ends the watches, the re-read and any pending reload. */
  stop(): void;
}

function registered<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * hashSources returns `sha256:<hex>` over the path and content of every
 * YAML file the loaders read from `sources` (listYamlFiles), in order.
 */
export async function hashSources(sources: RuntimeSources): Promise<string> {
  const hash = createHash('sha256');
  for (const [kind, paths] of [['crds', sources.crdPaths], ['policies', sources.policyPaths]] as const) {
    for (const target of paths) {
      for (const file of await listYamlFiles(target)) {
        const content = await readFile(file);
        hash.update(`${kind}\0${file}\0${content.length}\0`).update(content);
      }
    }
  }
  return `sha256:${hash.digest('hex')}`;
}

/**
 * watchedFolders lists the folders to watch for a source path: the parent
 * of a file; a folder and every sub-folder the loaders read (dot-folders
 * skipped, as listYamlFiles does; a ConfigMap's `..data` swap shows in the
 * top folder).
 */
async function watchedFolders(target: string): Promise<Array<{ folder: string; file?: string }>> {
  if (!(await stat(target)).isDirectory()) return [{ folder: path.dirname(target), file: path.basename(target) }];
  const out = [{ folder: target }];
  for (const entry of await readdir(target, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.name.startsWith('.')) out.push(...(await watchedFolders(path.join(target, entry.name))));
  }
  return out;
}

/**
 * createConfigReloader keeps the configuration in step with the policy and
 * CRD files. Every folder is watched on its own, never with a recursive
 * fs.watch: on Linux, Node 20's recursive watch keeps watching a file
 * replaced by rename (an editor's safe-save, `mv`, a ConfigMap's `..data`
 * swap) through its unlinked inode, and missed every later edit of it
 * (issue 14, defect 1). A file event triggers a check after a debounce; a
 * re-read every resyncMs does the same, so no missed event leaves a stale
 * configuration in force longer than resyncMs plus one load. A check
 * hashes the files and reloads only when the hash differs from the one in
 * force (and from the last failed one). The swap is one assignment, so
 * requests see the old or the new configuration, never a mix. A bad edit
 * leaves the last good configuration in force, is logged with the file,
 * document and field, and counted. Reloads never overlap: events during a
 * reload cause one more check after it.
 */
export function createConfigReloader<C extends RuntimeConfig = RuntimeConfig>(options: ConfigReloaderOptions<C>): ConfigReloader<C> {
  const { sources, logger, registry } = options;
  const load = options.load ?? ((s: RuntimeSources) => loadRuntimeConfig(s) as Promise<C>);
  const debounceMs = options.debounceMs ?? 300;
  const resyncMs = options.resyncMs ?? DEFAULT_CONFIG_RESYNC_MS;
  const clock = options.clock ?? monotonicClock;
  const watchFn: WatchFunction = options.watchFn ?? ((target, listener) => fsWatch(target, { persistent: false }, listener));
  // With serve --workers the primary adds the workers' registries up: every worker reloads the same files,
  // so counters take the max; the hash series counts the workers on each hash; the load time is the oldest.
  const errors = registered(registry, 'portcullis_policy_reload_errors_total', () => new Counter({ name: 'portcullis_policy_reload_errors_total', help: 'Policy and CRD reloads that failed; the last good configuration stayed in force.', registers: [registry], aggregator: 'max' }));
  const reloads = registered(registry, 'portcullis_policy_reloads_total', () => new Counter({ name: 'portcullis_policy_reloads_total', help: 'Policy and CRD reloads that put a new configuration in force.', registers: [registry], aggregator: 'max' }));
  const info = registered(registry, 'portcullis_config_info', () => new Gauge({ name: 'portcullis_config_info', help: 'The configuration in force: 1 for its content hash (with --workers, the number of workers on it).', labelNames: ['hash'], registers: [registry], aggregator: 'sum' }));
  const loadedAtGauge = registered(registry, 'portcullis_config_last_load_success_timestamp_seconds', () => new Gauge({ name: 'portcullis_config_last_load_success_timestamp_seconds', help: 'When the configuration in force was loaded, in Unix seconds (with --workers, the oldest worker\'s).', registers: [registry], aggregator: 'min' }));
  let config: C | undefined;
  let status: ConfigStatus | undefined;
  const watchers = new Map<string, Pick<FSWatcher, 'close'>>();
  let debounce: unknown;
  let resync: unknown;
  let running: Promise<boolean> | undefined;
  let again: { force: boolean } | undefined;
  let stopped = false;

  const putInForce = (next: C, hash: string): void => {
    const previous = status?.hash;
    config = next;
    const now = clock.now();
    status = { hash, loadedAt: now, checkedAt: now };
    info.reset();
    info.set({ hash }, 1);
    loadedAtGauge.set(now / 1000);
    if (previous !== undefined) logger.info({ hash, previousHash: previous, policies: next.policies.policies.length, crds: next.crds.crds.length }, 'configuration reloaded');
  };

  // One load: hash first, so the hash names what was read (a write during the load shows at the next check).
  const loadOnce = async (force: boolean, trigger: string): Promise<boolean> => {
    let hash: string;
    try {
      hash = await hashSources(sources);
    } catch (err) {
      hash = `unreadable: ${errorMessage(err)}`;
    }
    if (!status) return false;
    status.checkedAt = clock.now();
    if (!force && hash === status.hash) delete status.failing; // a bad edit was undone
    if (!force && (hash === status.hash || hash === status.failing?.hash)) {
      const line = { hash: status.hash, trigger, failingHash: status.failing?.hash };
      if (trigger === 'resync') logger.debug(line, 'configuration unchanged');
      else logger.info(line, 'configuration unchanged');
      return false;
    }
    try {
      const next = await load(sources);
      if (stopped) return false;
      putInForce(next, hash);
      return true;
    } catch (err) {
      errors.inc();
      status.failing = { hash, error: errorMessage(err), at: clock.now() };
      logger.error({ err: errorMessage(err), hash, inForce: status.hash, trigger }, 'configuration reload failed; keeping the last good configuration');
      return false;
    }
  };

  const run = async (force: boolean, trigger: string): Promise<boolean> => {
    if (running) {
      again = { force: force || again?.force === true };
      return running;
    }
    running = (async () => {
      let changed = await loadOnce(force, trigger);
      for (;;) {
        // A folder that appeared gets its watch only now: check again what it held before.
        if (!stopped && options.watch !== false && (await syncWatchers()) > 0) again ??= { force: false };
        if (!again || stopped) break;
        const next = again;
        again = undefined;
        changed = (await loadOnce(next.force, next.force ? 'reload' : 'watch')) || changed;
      }
      return changed;
    })();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    if (debounce !== undefined) clock.clearTimeout(debounce);
    debounce = clock.setTimeout(() => {
      debounce = undefined;
      void run(false, 'watch');
    }, debounceMs);
  };

  // Watch every folder the sources have now; folders that appeared get a watcher (counted), those gone lose theirs.
  const syncWatchers = async (): Promise<number> => {
    let added = 0;
    const wanted = new Map<string, Set<string> | undefined>();
    for (const target of new Set([...sources.policyPaths, ...sources.crdPaths])) {
      let folders: Array<{ folder: string; file?: string }>;
      try {
        folders = await watchedFolders(target);
      } catch (err) {
        logger.warn({ path: target, err: errorMessage(err) }, 'cannot watch configuration path; the periodic re-read still checks it');
        continue;
      }
      for (const { folder, file } of folders) {
        const names = wanted.has(folder) ? wanted.get(folder) : new Set<string>();
        // A folder source takes every event; a file source only its own name's and `..data`-style swaps.
        wanted.set(folder, file === undefined || names === undefined ? undefined : names.add(file));
      }
    }
    for (const [folder, watcher] of watchers) {
      if (!wanted.has(folder)) {
        watcher.close();
        watchers.delete(folder);
      }
    }
    for (const [folder, names] of wanted) {
      if (watchers.has(folder) || stopped) continue;
      try {
        const watcher = watchFn(folder, (_event, file) => {
          if (names === undefined || file === null || names.has(file) || file.startsWith('..')) schedule();
        });
        watcher.on('error', (err: Error) => {
          logger.warn({ path: folder, err: err.message }, 'configuration watch failed; the periodic re-read still checks it');
          watcher.close();
          watchers.delete(folder);
        });
        watchers.set(folder, watcher);
        added += 1;
      } catch (err) {
        logger.warn({ path: folder, err: errorMessage(err) }, 'cannot watch configuration folder; the periodic re-read still checks it');
      }
    }
    return added;
  };

  const tick = (): void => {
    if (stopped || resyncMs <= 0) return;
    resync = clock.setTimeout(() => {
      resync = undefined;
      void run(false, 'resync').finally(tick);
    }, resyncMs);
  };

  return {
    async start() {
      const first = await load(sources); // a bad file throws its LoadError here
      const hash = await hashSources(sources);
      putInForce(first, hash);
      logger.info({ hash, policies: first.policies.policies.length, crds: first.crds.crds.length, resyncMs }, 'configuration in force');
      if (options.watch !== false) await syncWatchers();
      tick();
      return first;
    },
    current() {
      if (config === undefined) throw new Error('config reloader not started');
      return config;
    },
    status() {
      if (status === undefined) throw new Error('config reloader not started');
      return { ...status };
    },
    reload: () => run(true, 'reload'),
    check: () => run(false, 'check'),
    stop() {
      stopped = true;
      if (debounce !== undefined) clock.clearTimeout(debounce);
      if (resync !== undefined) clock.clearTimeout(resync);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
