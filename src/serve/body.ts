/**
 * Reading a request body within bounds: at most `maxBytes` (413 beyond, refused from the
 * Content-Length alone when it says so), within `timeoutMs` of the headers (408 for a client that
 * trickles), and within a byte budget shared by every request in flight (503 when it is spent), so
 * however many clients send at once the bodies held in memory stay bounded. Bytes are taken from
 * the budget as they arrive, not as declared: a client that announces a large body and sends
 * nothing holds nothing.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

export interface BodyLimits {
  maxBytes: number;
  timeoutMs: number;
}

/** The client went away before its body was complete: there is no one to answer. */
export class ClientGoneError extends Error {}

/** Body bytes held by all requests at once, reserved as they arrive, released once answered. */
export class ByteBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.held;
  }

  /** Takes `bytes` when they fit; false (nothing taken) when they do not. */
  reserve(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  release(bytes: number): void {
    this.held -= bytes;
  }
}

export interface ReadBody {
  body: Buffer;
  /** Gives the body's bytes back to the budget: call once the answer is sent. */
  release(): void;
}

export function readBody(
  request: IncomingMessage,
  limits: BodyLimits,
  budget: ByteBudget,
): Promise<ReadBody> {
  const declared = declaredLength(request);
  if (declared !== null && declared > limits.maxBytes) {
    return Promise.reject(tooLarge(limits.maxBytes, declared));
  }
  let reserved = 0;
  const take = (bytes: number): boolean => {
    if (!budget.reserve(bytes)) return false;
    reserved += bytes;
    return true;
  };
  const release = () => {
    budget.release(reserved);
    reserved = 0;
  };

  return new Promise<ReadBody>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (error: Error | null) => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('aborted', onGone);
      request.off('error', onGone);
      if (error === null) {
        resolve({
          body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received),
          release,
        });
        return;
      }
      release();
      chunks.length = 0;
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.maxBytes) return settle(tooLarge(limits.maxBytes, null));
      if (!take(chunk.length)) return settle(busy(budget));
      chunks.push(chunk);
    };
    const onEnd = () => settle(null);
    const onGone = () => settle(new ClientGoneError('the client closed the connection'));
    const timer = setTimeout(() => {
      settle(
        new HttpError(
          408,
          'body_timeout',
          `the request body did not arrive within ${limits.timeoutMs / 1000} s ` +
            `(${received} bytes received): send it at once`,
        ),
      );
    }, limits.timeoutMs);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('aborted', onGone);
    request.on('error', onGone);
  });
}

function declaredLength(request: IncomingMessage): number | null {
  const header = request.headers['content-length'];
  if (header === undefined) return null;
  // Node's parser has already refused a Content-Length that is not a number.
  return Number(header);
}

function tooLarge(maxBytes: number, declared: number | null): HttpError {
  const size =
    declared === null ? `longer than the ${maxBytes}` : `${declared} bytes, over the ${maxBytes}`;
  return new HttpError(
    413,
    'body_too_large',
    `the request body is ${size} bytes this server takes (serve.maxBodyBytes): ` +
      'send fewer customers per request',
  );
}

function busy(budget: ByteBudget): HttpError {
  return new HttpError(
    503,
    'busy',
    `the server holds as much request data as it allows (serve.maxBufferedBytes, ${budget.limit} ` +
      'bytes) for requests still being read: retry in a moment',
    { 'Retry-After': '1' },
  );
}
