import { fullFormats } from 'ajv-formats/dist/formats.js';

/**
 * FormatChecker tells whether a string is valid for one OpenAPI format.
 */
export type FormatChecker = (value: string) => boolean;

function fromAjv(name: keyof typeof fullFormats): FormatChecker {
  const def = fullFormats[name] as unknown;
  if (def instanceof RegExp) return (v) => def.test(v);
  if (typeof def === 'function') return def as FormatChecker;
  const validate = (def as { validate: RegExp | FormatChecker }).validate;
  return validate instanceof RegExp ? (v) => validate.test(v) : validate;
}

const ipv4 = fromAjv('ipv4');
const ipv6 = fromAjv('ipv6');

/**
 * STRING_FORMATS holds the string formats the apiserver checks for CRDs
 * (apiextensions supportedFormats, checked by kube-openapi's strfmt registry).
 * Formats not listed here are accepted unchecked, as the apiserver does.
 */
export const STRING_FORMATS: Readonly<Record<string, FormatChecker>> = {
  'date-time': fromAjv('date-time'),
  datetime: fromAjv('date-time'),
  date: fromAjv('date'),
  duration: (v) => /^(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h|d|w))+$/.test(v) || fromAjv('duration')(v),
  uri: fromAjv('uri'),
  email: fromAjv('email'),
  hostname: (v) => v.length <= 255 && /^(?=.{1,255}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[-0-9A-Za-z]{0,61}[0-9A-Za-z])?)*\.?$/.test(v),
  ipv4,
  ipv6,
  cidr: (v) => {
    const slash = v.lastIndexOf('/');
    if (slash < 0) return false;
    const ip = v.slice(0, slash);
    const bits = v.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bits)) return false;
    const n = Number(bits);
    return (ipv4(ip) && n <= 32) || (ipv6(ip) && n <= 128);
  },
  mac: (v) => /^(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^(?:[0-9A-Fa-f]{2}[:-]){7}[0-9A-Fa-f]{2}$|^(?:[0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}$/.test(v),
  uuid: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  uuid3: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  uuid4: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(v),
  uuid5: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(v),
  byte: (v) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v),
  bsonobjectid: (v) => /^[0-9a-fA-F]{24}$/.test(v),
  hexcolor: (v) => /^#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(v),
  rgbcolor: (v) => /^rgb\(\s*\d{1,3}%?\s*,\s*\d{1,3}%?\s*,\s*\d{1,3}%?\s*\)$/.test(v),
  password: () => true,
  isbn: (v) => isIsbn10(v) || isIsbn13(v),
  isbn10: (v) => isIsbn10(v),
  isbn13: (v) => isIsbn13(v),
  creditcard: (v) => /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/.test(v.replace(/[^0-9]/g, '')),
  ssn: (v) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(v),
  'k8s-short-name': (v) => v.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v),
  'k8s-long-name': (v) => v.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v),
};

function isIsbn10(v: string): boolean {
  return /^(?:[0-9]{9}X|[0-9]{10})$/.test(v.replace(/[- ]/g, ''));
}

function isIsbn13(v: string): boolean {
  return /^(?:97[89][0-9]{10})$/.test(v.replace(/[- ]/g, ''));
}

/** SUPPORTED_FORMATS are the formats the apiserver keeps in CRD schemas (others are stripped and never checked), normalized without dashes. */
const SUPPORTED_FORMATS = new Set(
  ['bsonobjectid', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'cidr', 'mac', 'uuid', 'uuid3', 'uuid4', 'uuid5', 'isbn', 'isbn10', 'isbn13', 'creditcard', 'ssn', 'hexcolor', 'rgbcolor', 'byte', 'password', 'date', 'duration', 'datetime', 'k8sshortname', 'k8slongname'],
);

/**
 * effectiveFormat returns the format as the apiserver validates with it: as
 * written when supported (apiextensions StripUnsupportedFormatsPostProcessor,
 * comparing names without dashes), else '' — int32, int64, double and
 * unknown formats are not checked and don't change type errors.
 */
export function effectiveFormat(format: string | undefined): string {
  if (format === undefined || format === '') return '';
  return SUPPORTED_FORMATS.has(format.replace(/-/g, '')) ? format : '';
}

/** formatChecker returns the checker of a supported format, or undefined. */
export function formatChecker(format: string): FormatChecker | undefined {
  if (effectiveFormat(format) === '') return undefined;
  return STRING_FORMATS[format] ?? STRING_FORMATS[format.replace(/-/g, '')];
}
