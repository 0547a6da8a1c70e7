import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { JsonValue } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { parseYamlDocuments } from '../kube/yaml-documents.js';
import { InputError } from './args.js';

/** InputDocument is one document a user handed to a command with -f, with where it came from. */
export interface InputDocument {
  /** file is the path as given (or `<stdin>`). */
  file: string;
  index: number;
  value: JsonValue;
}

/** INPUT_EXTENSIONS are the files a folder given to -f contributes, as with kubectl. */
export const INPUT_EXTENSIONS = /\.(ya?ml|json)$/i;

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (INPUT_EXTENSIONS.test(entry.name)) out.push(full);
  }
  return out;
}

/**
 * parseInputText splits a file's text into documents (YAML, which JSON is a
 * part of): an empty file is an error, a `kind: List` is expanded into its
 * items (what `kubectl get -o yaml` prints), and a syntax error names the
 * line and column.
 */
export function parseInputText(text: string, file: string): InputDocument[] {
  if (text.trim() === '') throw new InputError(`${file}: is empty, expected a YAML or JSON object`);
  const out: InputDocument[] = [];
  for (const doc of parseYamlDocuments(text, file)) {
    const value = doc.value;
    if (isJsonObject(value) && value['kind'] === 'List' && Array.isArray(value['items'])) {
      for (const item of value['items']) out.push({ file, index: doc.index, value: item });
    } else out.push({ file, index: doc.index, value });
  }
  if (out.length === 0) throw new InputError(`${file}: holds only empty documents, expected a YAML or JSON object`);
  return out;
}

/**
 * readInputFile reads one file given as FILE (not a folder), refusing what
 * the server would refuse: more than `limit` bytes.
 */
export async function readInputFile(file: string, flag: string, limit: number): Promise<InputDocument[]> {
  let info;
  try {
    info = await stat(file);
  } catch {
    throw new InputError(`${flag} ${file}: no such file`);
  }
  if (info.isDirectory()) throw new InputError(`${flag} ${file}: is a folder, expected a file`);
  if (info.size > limit) throw new InputError(`${file}: ${mib(info.size)} is more than the ${mib(limit)} the server accepts in one request`);
  return parseInputText(await readFile(file, 'utf8'), file);
}

/**
 * readInputs reads every -f argument: a file, a folder (its .yaml, .yml and
 * .json files, recursively, sorted) or `-` (standard input), in order.
 */
export async function readInputs(paths: readonly string[], stdin: () => Promise<string>, limit: number): Promise<InputDocument[]> {
  const out: InputDocument[] = [];
  for (const target of paths) {
    if (target === '-') {
      const text = await stdin();
      if (Buffer.byteLength(text) > limit) throw new InputError(`<stdin>: ${mib(Buffer.byteLength(text))} is more than the ${mib(limit)} the server accepts in one request`);
      out.push(...parseInputText(text, '<stdin>'));
      continue;
    }
    const info = await stat(target).catch(() => undefined);
    if (info === undefined) throw new InputError(`-f ${target}: no such file or folder`);
    if (!info.isDirectory()) {
      out.push(...(await readInputFile(target, '-f', limit)));
      continue;
    }
    const files = await filesUnder(target);
    if (files.length === 0) throw new InputError(`-f ${target}: the folder holds no .yaml, .yml or .json file`);
    for (const file of files) out.push(...(await readInputFile(file, '-f', limit)));
  }
  return out;
}
