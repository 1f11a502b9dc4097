/**
 * A Pushgateway client: PUT replaces a job's group, POST replaces only the families it carries.
 * Every attempt has a deadline and failed attempts are retried with backoff, so a gateway that is
 * down or never answers costs a bounded number of seconds. Credentials travel in a header and
 * never appear in an error message.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { registerCredentials, registerSecret } from '../common/secrets.js';

export interface PushTarget {
  /** Base URL of the gateway; credentials in it are moved to the Authorization header. */
  url: string;
  job: string;
  /** Grouping labels after the job (instance, shard, …), in order. */
  grouping: Array<[string, string]>;
  timeoutMs: number;
  retries: number;
  auth?: { username: string; password: string } | { token: string } | null;
  ca?: Buffer;
}

export class PushError extends Error {}

const EXPOSITION_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const BACKOFF_MS = 500;

export async function push(
  target: PushTarget,
  method: 'PUT' | 'POST',
  body: string,
): Promise<void> {
  const { url, headers } = prepare(target);
  let lastError: Error | null = null;
  for (let attempt = 0; attempt <= target.retries; attempt++) {
    if (attempt > 0) await sleep(BACKOFF_MS * 2 ** (attempt - 1));
    try {
      await send(url, method, headers, body, target);
      return;
    } catch (error) {
      lastError = error as Error;
      if (
        error instanceof PushError &&
        /^HTTP 4\d\d/.test(error.message) &&
        !/^HTTP 429/.test(error.message)
      )
        break;
    }
  }
  const attempts = target.retries + 1;
  throw new PushError(
    `pushing to ${redactUrl(target.url)} failed after ${attempts} attempt${attempts > 1 ? 's' : ''}: ${lastError?.message}`,
  );
}

/** The URL of a job's group: /metrics/job/<job>/<label>/<value>…, values encoded safely. */
export function groupUrl(base: string, job: string, grouping: Array<[string, string]>): string {
  const parts = [['job', job], ...grouping].map(([name, value]) =>
    value === '' || value.includes('/')
      ? `${name}@base64/${Buffer.from(value).toString('base64url') || '='}`
      : `${name}/${encodeURIComponent(value)}`,
  );
  return `${base.replace(/\/+$/, '')}/metrics/${parts.join('/')}`;
}

/** A URL as it may be shown: user and password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '***';
      parsed.password = '';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(an invalid URL)';
  }
}

function prepare(target: PushTarget): { url: URL; headers: Record<string, string> } {
  let base: URL;
  try {
    base = new URL(target.url);
  } catch {
    throw new PushError(`the Pushgateway URL ${redactUrl(target.url)} is not a valid URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new PushError(`the Pushgateway URL must start with http:// or https://`);
  }
  const headers: Record<string, string> = { 'Content-Type': EXPOSITION_TYPE };
  let auth = target.auth ?? null;
  if (!auth && (base.username || base.password)) {
    auth = {
      username: decodeURIComponent(base.username),
      password: decodeURIComponent(base.password),
    };
  }
  base.username = '';
  base.password = '';
  if (auth && 'token' in auth) registerSecret(auth.token);
  else if (auth) registerCredentials(auth.username, auth.password);
  if (auth && 'token' in auth) headers.Authorization = `Bearer ${auth.token}`;
  else if (auth) {
    headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }
  return { url: new URL(groupUrl(base.toString(), target.job, target.grouping)), headers };
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string,
  target: PushTarget,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) }, ca: target.ca },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on(
          'data',
          (chunk: string) => (text += chunk.length < 500 ? chunk : chunk.slice(0, 500)),
        );
        response.on('end', () => {
          clearTimeout(deadline);
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else
            reject(
              new PushError(`HTTP ${status}${text.trim() ? `: ${text.trim().slice(0, 200)}` : ''}`),
            );
        });
        response.on('error', (error) => reject(new PushError(error.message)));
      },
    );
    // One deadline for the whole attempt: connecting, sending and the answer.
    const deadline = setTimeout(() => {
      request.destroy(new PushError(`no answer within ${target.timeoutMs / 1000} s`));
    }, target.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      reject(error instanceof PushError ? error : new PushError(error.code ?? error.message));
    });
    request.end(body);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
