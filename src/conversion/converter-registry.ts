import { groupKindKey } from '../kube/gvk.js';
import type { KindConverter } from './kind-converter.js';

/** ConverterRegistry finds the converter of a group/kind. */
export interface ConverterRegistry {
  /** lookup returns the converter of group/kind, or undefined. */
  lookup(group: string, kind: string): KindConverter | undefined;
  /** converters lists every converter in registration order. */
  readonly converters: readonly KindConverter[];
}

/**
 * createConverterRegistry indexes converters by group/kind. Two converters
 * for the same group/kind throw: which one wins would be an accident of
 * file order.
 */
export function createConverterRegistry(converters: readonly KindConverter[]): ConverterRegistry {
  const byKey = new Map<string, KindConverter>();
  for (const converter of converters) {
    const key = groupKindKey(converter.group, converter.kind);
    if (byKey.has(key)) throw new Error(`two converters for ${key}`);
    byKey.set(key, converter);
  }
  return {
    lookup: (group, kind) => byKey.get(groupKindKey(group, kind)),
    converters: [...converters],
  };
}

/** emptyConverterRegistry converts nothing: every review that needs a conversion fails. */
export const emptyConverterRegistry: ConverterRegistry = createConverterRegistry([]);
