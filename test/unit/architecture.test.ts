import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

/*
 * The layering of src/ is part of the design (docs: README "Layout"):
 * imports point inward only. A layer may import from lower layers and from
 * its own folder, never from a higher or sibling layer.
 */
const RANK: Record<string, number> = {
  kube: 0,
  cel: 1,
  schema: 2,
  policy: 3,
  admission: 4,
  conversion: 4,
  controller: 4,
  server: 5,
  playground: 5,
  cli: 6,
  'main.ts': 7,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

const layerOf = (file: string): string => path.relative('src', file).split(path.sep)[0] as string;
const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1] as string);

describe('architecture', () => {
  const files = sourceFiles('src');

  it('knows every top-level folder of src/', () => {
    for (const file of files) assert.ok(layerOf(file) in RANK, `${file}: folder ${layerOf(file)} has no place in the layering`);
  });

  it('imports point inward only', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = layerOf(path.join(path.dirname(file), spec));
        if (target !== from && (RANK[target] ?? 99) >= (RANK[from] ?? -1)) violations.push(`${file} imports ${spec} (${from} -> ${target})`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('the object model has one home, in src/kube/ (paths, pointers, metadata, name rules, field errors, error codes)', () => {
    const ONE_HOME: Record<string, string> = {
      parseObjectPath: 'kube/object-path.ts',
      displayPath: 'kube/object-path.ts',
      toPointer: 'kube/object-path.ts',
      fromPointer: 'kube/object-path.ts',
      escapePointer: 'kube/object-path.ts',
      getPath: 'kube/object-path.ts',
      setPath: 'kube/object-path.ts',
      metadataOf: 'kube/object-meta.ts',
      nameOf: 'kube/object-meta.ts',
      stringMapOf: 'kube/object-meta.ts',
      objectKey: 'kube/object-key.ts',
      isDns1123Label: 'kube/name-rules.ts',
      isDns1123Subdomain: 'kube/name-rules.ts',
      isQualifiedName: 'kube/name-rules.ts',
      isLabelValue: 'kube/name-rules.ts',
      FieldError: 'kube/field-error.ts',
      FieldPath: 'kube/field-path.ts',
      ERROR_CODES: 'kube/error-codes.ts',
      PortcullisError: 'kube/errors.ts',
      errorMessage: 'kube/errors.ts',
      compileRe2: 'kube/re2.ts',
    };
    const homes: Record<string, string[]> = {};
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^export (?:async )?(?:function|const|class|type|interface) ([A-Za-z0-9_]+)/gm)) {
        const name = m[1] as string;
        if (name in ONE_HOME) (homes[name] ??= []).push(path.relative('src', file).split(path.sep).join('/'));
      }
    }
    for (const [name, home] of Object.entries(ONE_HOME)) assert.deepEqual(homes[name], [home], `${name} is defined in ${(homes[name] ?? []).join(', ') || 'no file'}, not only in src/${home}`);
  });

  it('only src/server imports express', () => {
    const offenders = files.filter((f) => layerOf(f) !== 'server' && importsOf(f).some((s) => s === 'express'));
    assert.deepEqual(offenders, []);
  });
});
