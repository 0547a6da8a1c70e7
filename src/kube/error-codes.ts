/*
 * Every error code of Portcullis, in one table (as fastify keeps its
 * FST_ERR_* codes): the HTTP status the server answers when such an error
 * decides an answer, and where it surfaces. Codes are stable: logs, tests
 * and clients match on them. docs/errors.md documents each one; a unit test
 * checks that the table, the code base and the docs agree.
 */

/** ErrorCodeInfo is one row of ERROR_CODES. */
export interface ErrorCodeInfo {
  /** httpStatus is what the server answers for it; 500 for errors that never decide an HTTP answer (a bug if one does). */
  readonly httpStatus: number;
  /** surface says where a user meets it. */
  readonly surface: 'http' | 'review' | 'load' | 'cli' | 'controller' | 'internal';
}

/** ERROR_CODES maps every error code to its HTTP status and where it surfaces. */
export const ERROR_CODES = {
  PCL_ERR_BAD_BODY: { httpStatus: 400, surface: 'http' },
  PCL_ERR_BAD_REVIEW: { httpStatus: 400, surface: 'http' },
  PCL_ERR_MEDIA_TYPE: { httpStatus: 415, surface: 'http' },
  PCL_ERR_TOO_LARGE: { httpStatus: 413, surface: 'http' },
  PCL_ERR_UNAUTHENTICATED: { httpStatus: 401, surface: 'http' },
  PCL_ERR_OVERLOADED: { httpStatus: 429, surface: 'http' },
  PCL_ERR_CONVERSION: { httpStatus: 500, surface: 'review' },
  PCL_ERR_LOAD: { httpStatus: 500, surface: 'load' },
  PCL_ERR_POLICY_COMPILE: { httpStatus: 500, surface: 'load' },
  PCL_ERR_FIELD_PATH: { httpStatus: 500, surface: 'load' },
  PCL_ERR_PATTERN: { httpStatus: 500, surface: 'load' },
  PCL_ERR_CEL_RULE: { httpStatus: 500, surface: 'load' },
  PCL_ERR_CEL_COMPILE: { httpStatus: 500, surface: 'load' },
  PCL_ERR_CEL_EVAL: { httpStatus: 500, surface: 'review' },
  PCL_ERR_CEL_RUNTIME: { httpStatus: 500, surface: 'internal' },
  PCL_ERR_CEL_VALUE: { httpStatus: 500, surface: 'review' },
  PCL_ERR_CERTIFICATE: { httpStatus: 500, surface: 'load' },
  PCL_ERR_USAGE: { httpStatus: 500, surface: 'cli' },
  PCL_ERR_INPUT: { httpStatus: 500, surface: 'cli' },
  PCL_ERR_BINDING: { httpStatus: 500, surface: 'load' },
  PCL_ERR_LEADER_ELECTION: { httpStatus: 500, surface: 'controller' },
  PCL_ERR_API_REQUEST: { httpStatus: 500, surface: 'controller' },
  PCL_ERR_CLUSTER_CONFIG: { httpStatus: 500, surface: 'controller' },
  PCL_ERR_STORAGE_MIGRATION: { httpStatus: 500, surface: 'cli' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** ErrorCode is one of the codes in ERROR_CODES. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** isErrorCode tells whether text is a code of ERROR_CODES. */
export function isErrorCode(text: string): text is ErrorCode {
  return Object.hasOwn(ERROR_CODES, text);
}
