import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { deepCopy } from '../kube/safe-object.js';
import type { JsonObject } from '../kube/types.js';
import { ConversionError } from './conversion-error.js';
import type { SpokeConverter } from './kind-converter.js';
import { errorMessage } from '../kube/errors.js';

/** CodeConverterContext tells a code converter what it is converting and lets it fail cleanly. */
export interface CodeConverterContext {
  readonly group: string;
  readonly kind: string;
  readonly hubVersion: string;
  /** version is the spoke version this module converts. */
  readonly version: string;
  /** fail stops the conversion with a message naming the field; the review answers Failure. */
  fail(field: string, message: string): never;
}

/**
 * CodeConverterModule is what a code converter module exports (named
 * exports, or a default export with both): `toHub` converts an object of
 * its spoke version to the hub version, `fromHub` the other way. They get a
 * copy they may modify, must return a plain JSON object, and must be
 * deterministic and synchronous. apiVersion, kind and metadata other than
 * labels/annotations are fixed up afterwards.
 */
export interface CodeConverterModule {
  toHub(object: JsonObject, context: CodeConverterContext): JsonObject;
  fromHub(object: JsonObject, context: CodeConverterContext): JsonObject;
}

const EXTENSIONS = new Set(['.js', '.mjs', '.ts', '.mts']);

/**
 * resolveModulePath resolves `declared` (relative to the Conversion
 * document's folder) and checks that the real path, symlinks followed,
 * stays inside `root` (the configured policies folder) and has a module
 * extension. Returns the real path or a message saying why not. Only paths
 * written by the operator in the policies folder are ever loaded; nothing
 * in a request can name a module.
 */
export async function resolveModulePath(options: { root: string; documentFile: string; declared: string }): Promise<string | { problem: string }> {
  const ext = path.extname(options.declared).toLowerCase();
  if (!EXTENSIONS.has(ext)) return { problem: `must end in ${[...EXTENSIONS].join(', ')}` };
  if (path.isAbsolute(options.declared)) return { problem: 'must be relative to the Conversion document' };
  let root: string;
  let target: string;
  try {
    root = await realpath(options.root);
    target = await realpath(path.resolve(path.dirname(options.documentFile), options.declared));
  } catch (err) {
    return { problem: `can't be read: ${errorMessage(err)}` };
  }
  const relative = path.relative(root, target);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return { problem: `resolves to ${target}, outside the policies folder ${root}` };
  return target;
}

/**
 * importCodeConverter imports a module (already checked by
 * resolveModulePath) and checks it exports toHub and fromHub. JavaScript is
 * imported natively; TypeScript through tsx's `tsImport` (a dev dependency:
 * without it, compile the module to .js). Throws Error with a plain message.
 */
export async function importCodeConverter(file: string): Promise<CodeConverterModule> {
  // The modification time in the query makes a reload after an edit import the new code (ES
  // modules are cached by URL); an unchanged file keeps its cached module.
  const url = `${pathToFileURL(file).href}?mtime=${(await stat(file)).mtimeMs}`;
  let loaded: Record<string, unknown>;
  if (/\.m?ts$/i.test(file)) {
    let tsImport: (specifier: string, parent: string) => Promise<unknown>;
    try {
      ({ tsImport } = (await import('tsx/esm/api')) as { tsImport: typeof tsImport });
    } catch (err) {
      throw new Error(`TypeScript converter modules need the tsx package; compile ${path.basename(file)} to JavaScript instead`, { cause: err });
    }
    loaded = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  } else {
    loaded = (await import(url)) as Record<string, unknown>;
  }
  const candidates = [loaded, loaded['default'] as Record<string, unknown> | undefined];
  for (const candidate of candidates) {
    if (candidate && typeof candidate['toHub'] === 'function' && typeof candidate['fromHub'] === 'function') return candidate as unknown as CodeConverterModule;
  }
  throw new Error('must export functions toHub and fromHub');
}

/** codeSpokeConverter adapts a module to a SpokeConverter: the module gets a private copy; the kind converter checks the result. */
export function codeSpokeConverter(module: CodeConverterModule, context: Omit<CodeConverterContext, 'fail'>): SpokeConverter {
  const full: CodeConverterContext = {
    ...context,
    fail(field: string, message: string): never {
      throw new ConversionError({ field, message });
    },
  };
  Object.freeze(full);
  return {
    toHub: (object) => module.toHub(deepCopy(object), full),
    fromHub: (object) => module.fromHub(deepCopy(object), full),
  };
}
