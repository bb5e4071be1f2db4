/**
 * ClickHouse's mapping of exception codes to HTTP statuses
 * (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp), by error name. The names
 * are resolved to codes by the engine itself (system.errors), so the numbers
 * cannot drift from the engine the test server runs.
 */
const BY_NAME: Record<number, readonly string[]> = {
  401: ['REQUIRED_PASSWORD'],
  403: ['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE', 'ACCESS_DENIED'],
  400: ['BAD_ARGUMENTS', 'CANNOT_COMPILE_REGEXP', 'CANNOT_PARSE_TEXT', 'CANNOT_PARSE_ESCAPE_SEQUENCE', 'CANNOT_PARSE_QUOTED_STRING',
    'CANNOT_PARSE_DATE', 'CANNOT_PARSE_DATETIME', 'CANNOT_PARSE_NUMBER', 'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING', 'CANNOT_PARSE_IPV4',
    'CANNOT_PARSE_IPV6', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'CANNOT_PARSE_UUID', 'DUPLICATE_COLUMN', 'ILLEGAL_COLUMN',
    'UNKNOWN_ELEMENT_IN_AST', 'UNKNOWN_TYPE_OF_AST_NODE', 'THERE_IS_NO_COLUMN', 'TOO_DEEP_AST', 'TOO_BIG_AST',
    'UNEXPECTED_AST_STRUCTURE', 'SYNTAX_ERROR', 'INCORRECT_DATA', 'TYPE_MISMATCH', 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
  404: ['UNKNOWN_TABLE', 'UNKNOWN_FUNCTION', 'UNKNOWN_IDENTIFIER', 'UNKNOWN_TYPE', 'UNKNOWN_STORAGE', 'UNKNOWN_DATABASE',
    'UNKNOWN_SETTING', 'UNKNOWN_DIRECTION_OF_SORTING', 'UNKNOWN_AGGREGATE_FUNCTION', 'UNKNOWN_FORMAT', 'UNKNOWN_DATABASE_ENGINE',
    'UNKNOWN_TYPE_OF_QUERY', 'UNKNOWN_ROLE'],
  413: ['QUERY_IS_TOO_LARGE'],
  501: ['NOT_IMPLEMENTED'],
  503: ['SOCKET_TIMEOUT', 'CANNOT_OPEN_FILE', 'CANNOT_SCHEDULE_TASK'],
  411: ['HTTP_LENGTH_REQUIRED'],
  408: ['TIMEOUT_EXCEEDED'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
};

export const STATUS_ERROR_NAMES: readonly string[] = Object.values(BY_NAME).flat();

let byCode = new Map<number, number>();

/** Loads name -> code from the engine: rows of { name, code }. */
export function loadStatusCodes(rows: readonly { name: string; code: number }[]): void {
  const codeOf = new Map(rows.map((r) => [r.name, Number(r.code)]));
  byCode = new Map();
  for (const [status, names] of Object.entries(BY_NAME)) {
    for (const n of names) {
      const code = codeOf.get(n);
      if (code === undefined) throw new Error(`the engine does not know the error ${n}`);
      byCode.set(code, Number(status));
    }
  }
}

export const statusForCode = (code: number): number => byCode.get(code) ?? 500;
