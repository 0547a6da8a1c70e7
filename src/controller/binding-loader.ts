import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { JsonValue } from '../kube/types.js';
import { parseBinding, type Binding } from './binding.js';
import { compileFilter, createBindingCelEnvironment } from './binding-filter.js';
import { BindingError } from './errors.js';
import { errorMessage } from '../kube/errors.js';

/**
 * loadBindings reads every `*.yaml`/`*.yml` file in dir (not recursive), parses
 * each ControllerBinding document and rejects duplicate names. Documents of
 * other kinds are skipped, so bindings may share a directory with other files.
 * Filters are compiled here, so a CEL filter that does not compile fails the
 * load (naming file, binding and field) before anything starts; this also
 * serves offline checks.
 */
export async function loadBindings(dir: string): Promise<Binding[]> {
  const cel = createBindingCelEnvironment();
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const bindings: Binding[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new BindingError(`${file}: ${doc.errors[0]!.message}`);
      const value = doc.toJS() as JsonValue;
      if (value === null || (typeof value === 'object' && !Array.isArray(value) && value.kind !== 'ControllerBinding')) continue;
      try {
        const binding = parseBinding(value);
        try {
          compileFilter(binding.filter, cel);
        } catch (err) {
          throw new BindingError(`binding ${binding.name}: ${errorMessage(err)}`, { cause: err });
        }
        bindings.push(binding);
      } catch (err) {
        throw new BindingError(`${file}: ${errorMessage(err)}`, { cause: err });
      }
    }
  }
  const names = new Set<string>();
  for (const b of bindings) {
    if (names.has(b.name)) throw new BindingError(`duplicate binding name ${b.name}`);
    names.add(b.name);
  }
  return bindings;
}
