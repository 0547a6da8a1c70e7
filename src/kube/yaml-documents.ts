import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { YAMLError } from 'yaml';
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

// The yaml library's messages quote its parser; say what is wrong in our words (its code picks them).
const YAML_PROBLEMS: Partial<Record<YAMLError['code'], string>> = {
  DUPLICATE_KEY: 'a key appears twice in the same mapping',
  BAD_INDENT: 'the indentation does not line up',
  TAB_AS_INDENT: 'a tab is used for indentation (use spaces)',
  MULTILINE_IMPLICIT_KEY: 'a key runs over more than one line (a missing ":" or quote?)',
  BLOCK_AS_IMPLICIT_KEY: 'a key runs over more than one line (a missing ":" or quote?)',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  UNEXPECTED_TOKEN: 'unexpected text',
  BAD_SCALAR_START: 'a value starts with a character YAML reserves (quote it)',
  BAD_DQ_ESCAPE: 'a bad escape sequence in a double-quoted string',
  BAD_ALIAS: 'an alias names no anchor',
  BLOCK_IN_FLOW: 'a block value inside a {...} or [...] collection',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters',
};

/** yamlProblem words a YAML syntax error: what is wrong, with line and column (1-based). */
export function yamlProblem(error: YAMLError): string {
  const at = error.linePos?.[0];
  return `YAML syntax error${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${YAML_PROBLEMS[error.code] ?? 'this is not valid YAML'}`;
}

/** parseYamlDocuments is readYamlDocuments for text already in memory. */
export function parseYamlDocuments(text: string, file: string): YamlDocument[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const out: YamlDocument[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      throw new LoadError({ file, documentIndex: index, message: yamlProblem(error) });
    }
    let value: JsonValue | undefined;
    try {
      value = doc.toJS({ maxAliasCount: 100 }) as JsonValue | undefined;
    } catch (err) {
      throw new LoadError({ file, documentIndex: index, message: 'YAML aliases expand too far (more than 100 references): write the values out', cause: err });
    }
    if (value !== null && value !== undefined) out.push({ file, index, value });
  });
  return out;
}
