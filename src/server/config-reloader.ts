import { watch as fsWatch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import { monotonicClock } from '../kube/clock.js';
import type { Clock } from '../kube/clock.js';
import { loadRuntimeConfig } from './admission-runtime.js';
import type { RuntimeConfig, RuntimeSources } from './admission-runtime.js';
import { errorMessage } from '../kube/errors.js';

/** WatchFunction is fs.watch's shape, injectable for tests. */
export type WatchFunction = (target: string, options: { recursive: boolean }, listener: (event: string, file: string | null) => void) => Pick<FSWatcher, 'close' | 'on'>;

/** ConfigReloaderOptions configures createConfigReloader. */
export interface ConfigReloaderOptions<C extends RuntimeConfig = RuntimeConfig> {
  sources: RuntimeSources;
  logger: Logger;
  /** registry receives portcullis_policy_reload_errors_total and portcullis_policy_reloads_total. */
  registry: Registry;
  /** load compiles a configuration; default loadRuntimeConfig. */
  load?: (sources: RuntimeSources) => Promise<C>;
  /** debounceMs waits for a burst of file events (an editor's save, a ConfigMap swap) to settle; default 300 ms. */
  debounceMs?: number;
  /** watch enables the file watch (default true); reload() works either way. */
  watch?: boolean;
  /** watchFn replaces fs.watch (tests). */
  watchFn?: WatchFunction;
  /** clock runs the debounce and re-read timers; default monotonicClock. */
  clock?: Clock;
}

/** ConfigReloader keeps the RuntimeConfig in step with the policy and CRD files. */
export interface ConfigReloader<C extends RuntimeConfig = RuntimeConfig> {
  /** start loads the configuration (throws LoadError when it can't), then watches the sources. */
  start(): Promise<C>;
  /** current is the configuration in force; a request reads it once, so a swap never splits one. */
  current(): C;
  /** reload re-reads every source now; resolves true when a new configuration is in force. Never throws. */
  reload(): Promise<boolean>;
  /** stop ends the watches and any pending reload. */
  stop(): void;
}

function counter(registry: Registry, name: string, help: string): Counter {
  return (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, registers: [registry], aggregator: 'max' });
}

/**
 * createConfigReloader watches the policy folders and CRD paths and
 * recompiles everything when a file changes, after a debounce. The swap is
 * one assignment, so requests see the old or the new configuration, never a
 * mix. A bad edit leaves the last good configuration in force, is logged
 * with the file, document and field, and counted in
 * `portcullis_policy_reload_errors_total`. Reloads never overlap: events
 * during a reload cause one more reload after it.
 */
export function createConfigReloader<C extends RuntimeConfig = RuntimeConfig>(options: ConfigReloaderOptions<C>): ConfigReloader<C> {
  const { sources, logger } = options;
  const load = options.load ?? ((s: RuntimeSources) => loadRuntimeConfig(s) as Promise<C>);
  const debounceMs = options.debounceMs ?? 300;
  const watchFn: WatchFunction = options.watchFn ?? ((target, opts, listener) => fsWatch(target, opts, listener));
  const errors = counter(options.registry, 'portcullis_policy_reload_errors_total', 'Policy and CRD reloads that failed; the last good configuration stayed in force.');
  const reloads = counter(options.registry, 'portcullis_policy_reloads_total', 'Policy and CRD reloads that put a new configuration in force.');
  let config: C | undefined;
  let watchers: Array<Pick<FSWatcher, 'close'>> = [];
  const clock = options.clock ?? monotonicClock;
  let timer: unknown;
  let running: Promise<boolean> | undefined;
  let again = false;
  let stopped = false;

  const reloadOnce = async (): Promise<boolean> => {
    try {
      const next = await load(sources);
      if (stopped) return false;
      config = next;
      reloads.inc();
      logger.info({ policies: next.policies.policies.length, crds: next.crds.crds.length }, 'configuration reloaded');
      return true;
    } catch (err) {
      errors.inc();
      logger.error({ err: errorMessage(err) }, 'configuration reload failed; keeping the last good configuration');
      return false;
    }
  };

  const reload = async (): Promise<boolean> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let changed = await reloadOnce();
      while (again && !stopped) {
        again = false;
        changed = (await reloadOnce()) || changed;
      }
      return changed;
    })();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };

  const schedule = () => {
    if (stopped) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
      timer = undefined;
      void reload();
    }, debounceMs);
  };

  const watchPath = async (target: string) => {
    let isDir = false;
    try {
      isDir = (await stat(target)).isDirectory();
    } catch (err) {
      logger.warn({ path: target, err: errorMessage(err) }, 'cannot watch configuration path');
      return;
    }
    // A single file is watched through its folder: editors and ConfigMaps replace files by rename.
    const folder = isDir ? target : path.dirname(target);
    const name = isDir ? undefined : path.basename(target);
    try {
      const watcher = watchFn(folder, { recursive: isDir }, (_event, file) => {
        if (name === undefined || file === null || file === name || file.startsWith('..')) schedule();
      });
      watcher.on('error', (err: Error) => logger.warn({ path: folder, err: err.message }, 'configuration watch failed'));
      watchers.push(watcher);
    } catch (err) {
      logger.warn({ path: folder, err: errorMessage(err) }, 'cannot watch configuration path');
    }
  };

  return {
    async start() {
      config = await load(sources);
      if (options.watch !== false) {
        for (const target of new Set([...sources.policyPaths, ...sources.crdPaths])) await watchPath(target);
      }
      return config;
    },
    current() {
      if (config === undefined) throw new Error('config reloader not started');
      return config;
    },
    reload,
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      watchers = [];
    },
  };
}
