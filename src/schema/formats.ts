import { isStrfmtDuration } from './format-duration.js';
import { isMailAddress } from './format-email.js';
import { isCidrFormat, isHostnameFormat, isIPv4Format, isIPv6Format, isMacFormat, isRequestUriFormat } from './format-network.js';

/**
 * FormatChecker tells whether a string is valid for one OpenAPI format.
 */
export type FormatChecker = (value: string) => boolean;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const DATE_TIME_CLOCK = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;
const RGB_PART = '\\s*(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])\\s*';
const RGB = new RegExp(`^rgb\\(${RGB_PART},${RGB_PART},${RGB_PART}\\)$`);
const CREDIT_CARD = /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/;
const SHORT_NAME = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';

/** isDate is time.Parse("2006-01-02"): four-digit year, real month and day (leap years included). */
function isDate(v: string): boolean {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(v);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= days;
}

/** isDateTime is strfmt.IsDateTime: a date, a `t`, then hh:mm:ss[.frac] and `z` or an offset, case-insensitive. */
function isDateTime(v: string): boolean {
  if (v.length < 4) return false;
  const parts = v.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0] as string)) return false;
  const m = DATE_TIME_CLOCK.exec(parts[1] as string);
  return m !== null && (m[1] as string) <= '23' && (m[2] as string) <= '59' && (m[3] as string) <= '59';
}

/** luhn is govalidator.IsCreditCard's checksum over the digits. */
function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = Number(digits[i]);
    if (double) d = d * 2 >= 10 ? ((d * 2) % 10) + 1 : d * 2;
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function isIsbn10(v: string): boolean {
  const s = v.replace(/[\s-]+/g, '');
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * Number(s[i]);
  sum += 10 * (s[9] === 'X' ? 10 : Number(s[9]));
  return sum % 11 === 0;
}

function isIsbn13(v: string): boolean {
  const s = v.replace(/[\s-]+/g, '');
  if (!/^[0-9]{13}$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(s[i]);
  return Number(s[12]) - ((10 - (sum % 10)) % 10) === 0;
}

/**
 * STRING_FORMATS holds the string formats the apiserver checks for CRDs, as
 * kube-openapi's strfmt registry (strfmt.Default) checks them. Notably `byte`
 * needs at least one base64 group (`""` is invalid), `duration` accepts Go
 * durations and Scala-style ones (`5 minutes`), `ssn` is exactly 11
 * characters, isbn and creditcard carry checksums. Formats not listed are
 * accepted unchecked, as the apiserver does.
 */
export const STRING_FORMATS: Readonly<Record<string, FormatChecker>> = {
  datetime: isDateTime,
  date: isDate,
  duration: isStrfmtDuration,
  uri: isRequestUriFormat,
  email: isMailAddress,
  hostname: isHostnameFormat,
  ipv4: isIPv4Format,
  ipv6: isIPv6Format,
  cidr: isCidrFormat,
  mac: isMacFormat,
  uuid: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  uuid3: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  uuid4: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(v),
  uuid5: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(v),
  byte: (v) => BASE64.test(v),
  bsonobjectid: (v) => /^[0-9a-fA-F]{24}$/.test(v),
  hexcolor: (v) => /^#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(v),
  rgbcolor: (v) => RGB.test(v),
  password: () => true,
  isbn: (v) => isIsbn10(v) || isIsbn13(v),
  isbn10: isIsbn10,
  isbn13: isIsbn13,
  creditcard: (v) => {
    const digits = v.replace(/[^0-9]+/g, '');
    return CREDIT_CARD.test(digits) && luhn(digits);
  },
  ssn: (v) => v.length === 11 && /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(v),
  k8sshortname: (v) => v.length <= 63 && new RegExp(`^${SHORT_NAME}$`).test(v),
  k8slongname: (v) => v.length <= 253 && new RegExp(`^${SHORT_NAME}(\\.${SHORT_NAME})*$`).test(v),
};

/**
 * effectiveFormat returns the format as the apiserver validates with it
 * (apiextensions StripUnsupportedFormatsPostProcessorForVersion): on a string
 * or untyped node a format of STRING_FORMATS (names compared without
 * dashes, so `date-time` is `datetime`), on an integer int32 or int64, on a
 * number float or double; anything else is stripped ('') and never checked.
 */
export function effectiveFormat(format: string | undefined, type?: string): string {
  if (format === undefined || format === '') return '';
  if (type === undefined || type === 'string') return Object.prototype.hasOwnProperty.call(STRING_FORMATS, format.replace(/-/g, '')) ? format : '';
  if (type === 'integer') return format === 'int32' || format === 'int64' ? format : '';
  if (type === 'number') return format === 'float' || format === 'double' ? format : '';
  return '';
}

/** formatChecker returns the checker of a format the apiserver checks on strings of a node of `type`, or undefined. */
export function formatChecker(format: string, type?: string): FormatChecker | undefined {
  if (type !== undefined && type !== 'string') return undefined;
  if (effectiveFormat(format, type) === '') return undefined;
  return STRING_FORMATS[format.replace(/-/g, '')];
}
