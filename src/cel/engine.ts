import { PortcullisError } from '../kube/errors.js';
import type { JsonValue } from '../kube/types.js';

/**
 * EngineFieldError is one field error as the engine reports it: the
 * apiserver's field.Error, with its type as the cause reason
 * (`FieldValueInvalid`...) and its rendered message.
 */
export interface EngineFieldError {
  type: string;
  field: string;
  badValue?: JsonValue;
  /** omitValue is true when the apiserver prints no value (field.OmitValueType). */
  omitValue?: boolean;
  detail?: string;
  /** message is the error exactly as the apiserver prints it. */
  message: string;
}

/** CompiledSchemaRules is the outcome of compiling one schema's x-kubernetes-validations. */
export interface CompiledSchemaRules {
  /** handle names the compiled rules for validate(); 0 when the schema has none. */
  handle: number;
  /** errors are the apiserver's CRD validation errors about the rules, paths relative to the schema. */
  errors: EngineFieldError[];
}

/**
 * CelEngine is the apiserver's own CEL, compiled to WebAssembly from
 * apiextensions-apiserver's schema/cel (src/cel/engine/*.go). All data
 * crosses as JSON text.
 */
export interface CelEngine {
  /** compileSchema checks and compiles the rules of one openAPIV3Schema as the apiserver does for a new CRD. */
  compileSchema(schema: JsonValue): CompiledSchemaRules;
  /** validate evaluates compiled rules on an object (and its old version on UPDATE) within the apiserver's budget. */
  validate(handle: number, object: JsonValue, oldObject?: JsonValue | null): EngineFieldError[];
  /** release frees a handle's compiled rules. */
  release(handle: number): void;
}

/** CelEngineError reports a request the engine could not handle (bad JSON, unknown handle). */
export class CelEngineError extends PortcullisError {
  constructor(message: string) {
    super('PCL_ERR_CEL_ENGINE', `CEL engine: ${message}`);
  }
}

interface RawEngine {
  compileSchema(schema: string): string;
  validate(handle: number, object: string, oldObject: string): string;
  release(handle: number): void;
}

/** GoRuntime is an instance of wasm_exec.js's Go class. */
export interface GoRuntime {
  importObject: object;
  run(instance: object): Promise<void>;
}

/** WasmApi is the part of the WebAssembly global used here (tsconfig has no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => object;
}

/** GoConstructor is the `Go` class of Go's wasm_exec.js (lib/wasm in the Go distribution). */
export type GoConstructor = new () => GoRuntime;

/**
 * instantiateCelEngine starts the engine from engine.wasm's bytes with Go's
 * wasm_exec.js runtime class; it works wherever WebAssembly does (Node, a
 * browser, a worker) and does no I/O. Instantiation is synchronous: in a
 * browser's main thread, compile the module off-thread or in a worker.
 */
export function instantiateCelEngine(wasm: Uint8Array, Go: GoConstructor): CelEngine {
  const go = new Go();
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const instance = new api.Instance(new api.Module(wasm), go.importObject);
  // run() settles only when the Go program exits, which it never does; its main registers the API synchronously.
  void go.run(instance);
  const raw = (globalThis as unknown as { portcullisCelEngine?: RawEngine }).portcullisCelEngine;
  if (raw === undefined) throw new CelEngineError('engine.wasm did not register portcullisCelEngine');
  return wrap(raw);
}

function wrap(raw: RawEngine): CelEngine {
  return {
    compileSchema(schema) {
      return parseReply<CompiledSchemaRules>(raw.compileSchema(JSON.stringify(schema)));
    },
    validate(handle, object, oldObject) {
      const old = oldObject === undefined || oldObject === null ? '' : JSON.stringify(oldObject);
      return parseReply<{ errors: EngineFieldError[] }>(raw.validate(handle, JSON.stringify(object), old)).errors;
    },
    release(handle) {
      raw.release(handle);
    },
  };
}

function parseReply<T>(text: string): T {
  const parsed = JSON.parse(text) as T & { error?: string };
  if (typeof parsed.error === 'string') throw new CelEngineError(parsed.error);
  return parsed;
}
