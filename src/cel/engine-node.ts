import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PortcullisError } from '../kube/errors.js';
import { CelEngineError, instantiateCelEngine } from './engine.js';
import type { CelEngine, GoConstructor } from './engine.js';

/** CelEngineMissingError reports that the WebAssembly engine was not built. */
export class CelEngineMissingError extends PortcullisError {
  constructor(searched: readonly string[]) {
    super('PCL_ERR_CEL_ENGINE_MISSING', `the CEL engine is not built (looked for ${searched.join(', ')}): run npm run build, which needs Go 1.26 on the PATH`);
  }
}

let loaded: CelEngine | undefined;

/**
 * celEngine returns the process's CEL engine, instantiating it on first use
 * (synchronously: about 70 MB of WebAssembly, seconds of start-up and a few
 * hundred MB of memory, paid only by processes that load CRDs with
 * x-kubernetes-validations). It reads dist/cel/engine.wasm and
 * dist/cel/wasm_exec.cjs, which `npm run build` produces with Go; it throws
 * CelEngineMissingError when they are absent.
 */
export function celEngine(): CelEngine {
  loaded ??= load(locate());
  return loaded;
}

function locate(): string {
  const candidates = [new URL('./', import.meta.url), new URL('../../dist/cel/', import.meta.url)].map((u) => fileURLToPath(u));
  const dir = candidates.find((d) => existsSync(`${d}engine.wasm`) && existsSync(`${d}wasm_exec.cjs`));
  if (dir === undefined) throw new CelEngineMissingError(candidates.map((d) => `${d}engine.wasm`));
  return dir;
}

function load(dir: string): CelEngine {
  const global = globalThis as unknown as { Go?: GoConstructor };
  if (global.Go === undefined) createRequire(import.meta.url)(`${dir}wasm_exec.cjs`);
  if (global.Go === undefined) throw new CelEngineError('wasm_exec.cjs did not define Go');
  return instantiateCelEngine(readFileSync(`${dir}engine.wasm`), global.Go);
}
