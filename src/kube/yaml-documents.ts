import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { JsonValue } from './types.js';
import { LoadError } from './load-error.js';

/** YamlDocument is one document of a YAML file, with where it came from. */
export interface YamlDocument {
  file: string;
  index: number;
  value: JsonValue;
}

/**
 * listYamlFiles returns the YAML files at a path: the file itself, or every
 * `.yaml`/`.yml` file below a folder (recursively, sorted, dot-folders skipped).
 */
export async function listYamlFiles(target: string): Promise<string[]> {
  const info = await stat(target);
  if (info.isFile()) return [target];
  const out: string[] = [];
  const entries = await readdir(target, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) out.push(...(await listYamlFiles(full)));
    else if (/\.ya?ml$/i.test(entry.name)) out.push(full);
  }
  return out;
}

/**
 * readYamlDocuments parses every document of a (multi-document) YAML file.
 * Empty documents are skipped; a syntax error throws LoadError naming the
 * file, the document and the line.
 */
export async function readYamlDocuments(file: string): Promise<YamlDocument[]> {
  const text = await readFile(file, 'utf8');
  return parseYamlDocuments(text, file);
}

/** parseYamlDocuments is readYamlDocuments for text already in memory. */
export function parseYamlDocuments(text: string, file: string): YamlDocument[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const out: YamlDocument[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      throw new LoadError({ file, documentIndex: index, message: `YAML syntax error${line ? ` at line ${line}` : ''}: ${error.message.split('\n')[0]}` });
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as JsonValue | undefined;
    if (value !== null && value !== undefined) out.push({ file, index, value });
  });
  return out;
}
