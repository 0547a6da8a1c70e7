import { PortcullisError } from './errors.js';

/**
 * LoadError reports a configuration file (CRD, policy, converter) that can't
 * be used, naming the file, the YAML document index and the field.
 */
export class LoadError extends PortcullisError {
  readonly file: string;
  readonly documentIndex: number | undefined;
  readonly field: string | undefined;

  constructor(options: { file: string; documentIndex?: number; field?: string; message: string; cause?: unknown }) {
    const where = [options.file, options.documentIndex !== undefined ? `document ${options.documentIndex}` : undefined, options.field]
      .filter((part) => part !== undefined && part !== '')
      .join(': ');
    super('PCL_ERR_LOAD', `${where}: ${options.message}`, { cause: options.cause });
    this.file = options.file;
    this.documentIndex = options.documentIndex;
    this.field = options.field;
  }
}
