/**
 * FieldPath is an immutable linked path to a value, rendered lazily in the
 * apiserver's notation (`spec.hooks[0].name`, `metadata.labels[app]`). The
 * validator builds one per visited node without string work; only errors
 * render it.
 */
export class FieldPath {
  private constructor(
    readonly parent: FieldPath | null,
    readonly segment: string | number,
    readonly kind: 'root' | 'child' | 'index' | 'key' | 'mapKey',
  ) {}

  /** FieldPath.root returns the empty path. */
  static root(): FieldPath {
    return new FieldPath(null, '', 'root');
  }

  /** child returns the path of a property of this value. */
  child(name: string): FieldPath {
    return new FieldPath(this, name, 'child');
  }

  /** index returns the path of an array item of this value. */
  index(i: number): FieldPath {
    return new FieldPath(this, i, 'index');
  }

  /**
   * key returns the path of a map value (additionalProperties) of this value.
   * It renders like a property (`spec.selector.app`), as go-openapi names it
   * and so as the apiserver reports it.
   */
  key(k: string): FieldPath {
    return new FieldPath(this, k, 'key');
  }

  /**
   * mapKey returns the path of a map value rendered as field.Path.Key does
   * (`spec.selector[app]`): the notation of list-type, embedded-resource and
   * CEL errors, which the apiserver builds with field paths, not go-openapi names.
   */
  mapKey(k: string): FieldPath {
    return new FieldPath(this, k, 'mapKey');
  }

  /** segments returns the raw path elements from the root, for lookups in other objects. */
  segments(): (string | number)[] {
    const out: (string | number)[] = [];
    for (let p: FieldPath | null = this; p !== null && p.kind !== 'root'; p = p.parent) out.push(p.segment);
    return out.reverse();
  }

  /** toString renders the path the way field.Path.String() does. */
  toString(): string {
    const parts: string[] = [];
    for (let p: FieldPath | null = this; p !== null && p.kind !== 'root'; p = p.parent) {
      if (p.kind === 'child' || p.kind === 'key') parts.push(p.parent !== null && p.parent.kind !== 'root' ? `.${String(p.segment)}` : String(p.segment));
      else parts.push(`[${String(p.segment)}]`);
    }
    return parts.reverse().join('');
  }
}
