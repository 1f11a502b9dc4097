import { STATUS_CODES } from 'node:http';

/**
 * An answer other than success, as the client sees it: a status, a short machine-readable code
 * and a one-line message saying what to change. Never a stack trace: unexpected failures are
 * answered with a request id that finds the stack in the log.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (Allow, Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: { status: number; code: string; message: string; requestId?: string };
}

export function errorBody(error: HttpError, requestId?: string): ErrorBody {
  return {
    error: {
      status: error.status,
      code: error.code,
      message: error.message,
      ...(requestId === undefined ? {} : { requestId }),
    },
  };
}

/** The raw bytes of an error answer, for sockets that have no response object (clientError). */
export function rawErrorResponse(error: HttpError): string {
  const body = JSON.stringify(errorBody(error));
  return (
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}
