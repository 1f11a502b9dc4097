import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { push } from '../../src/monitoring/pushgateway.js';
import { tempDir } from '../helpers/cli.js';
import { binary, requires } from '../helpers/prerequisites.js';

const OPENSSL = '/usr/bin/openssl';
requires(
  [binary(OPENSSL, 'openssl')],
  'pushing over HTTPS with basic auth and a private CA (openssl makes the certificate)',
).describe('pushing over TLS with credentials', () => {
  const dir = tempDir();
  const seen: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> =
    [];
  let url = '';
  let ca: Buffer;
  const server = createServer();

  beforeAll(async () => {
    const made = spawnSync(
      OPENSSL,
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir.path, 'key.pem'),
        '-out',
        join(dir.path, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(made.stderr);
    ca = readFileSync(join(dir.path, 'cert.pem'));
    server.setSecureContext({ key: readFileSync(join(dir.path, 'key.pem')), cert: ca });
    server.on('request', (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, headers: request.headers, body });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    dir.remove();
  });

  const target = {
    job: 'churn_train',
    grouping: [] as Array<[string, string]>,
    timeoutMs: 2000,
    retries: 0,
  };

  it('trusts the configured CA, and sends basic auth from the URL in a header', async () => {
    seen.length = 0;
    await push(
      { ...target, url: url.replace('https://', 'https://ana:p%40ss@'), ca },
      'PUT',
      'x 1\n',
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'PUT',
      url: '/metrics/job/churn_train',
      body: 'x 1\n',
    });
    expect(seen[0].headers.authorization).toBe(
      `Basic ${Buffer.from('ana:p@ss').toString('base64')}`,
    );
  });

  it('sends a bearer token, and refuses a certificate no configured CA signed', async () => {
    seen.length = 0;
    await push({ ...target, url, ca, auth: { token: 'tok' } }, 'POST', 'x 1\n');
    expect(seen[0].headers.authorization).toBe('Bearer tok');
    await expect(push({ ...target, url }, 'PUT', 'x 1\n')).rejects.toThrow(
      /failed after 1 attempt: .*(SELF_SIGNED|self.signed)/i,
    );
  });
});
