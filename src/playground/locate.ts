import { LineCounter, parseAllDocuments, isNode } from 'yaml';
import { LoadError } from '../kube/load-error.js';

/** EditorName is one of the playground's input editors. */
export type EditorName = 'crds' | 'policies' | 'object' | 'oldObject';

/** Diagnostic is one problem placed in an editor: 1-based line and column, and the message the CLI prints. */
export interface Diagnostic {
  editor: EditorName;
  line: number;
  column: number;
  message: string;
}

const EDITOR_OF_FILE: Readonly<Record<string, EditorName>> = {
  'crds.yaml': 'crds',
  'policies.yaml': 'policies',
  'object.yaml': 'object',
  'old-object.yaml': 'oldObject',
};

/**
 * locateProblem turns what a load or a review threw into a Diagnostic: the
 * editor from the LoadError's file, the line of the named document and field
 * (the deepest part of the field path that exists), or of the YAML syntax
 * error. Anything else lands on the object editor's first line.
 */
export function locateProblem(err: unknown, texts: Readonly<Record<EditorName, string>>): Diagnostic {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof LoadError)) return { editor: 'object', line: 1, column: 1, message };
  const editor = EDITOR_OF_FILE[err.file] ?? 'object';
  const at = positionOf(texts[editor], err.documentIndex ?? 0, err.field ?? '');
  return { editor, ...at, message };
}

function positionOf(text: string, documentIndex: number, field: string): { line: number; column: number } {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error?.linePos?.[0]) return { line: error.linePos[0].line, column: error.linePos[0].col };
  }
  const doc = list[documentIndex];
  if (!doc) return { line: 1, column: 1 };
  const keys = pathKeys(field);
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = counter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** pathKeys splits a field as LoadError prints it (`spec.rules[0].cel`) into YAML keys. */
function pathKeys(field: string): (string | number)[] {
  return [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] as string)));
}
