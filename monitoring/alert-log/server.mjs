// Alertmanager's webhook receiver for the churn monitoring stack: one line per alert in each
// notification, on stdout and, with --file, appended to a file. No dependencies, so the
// docker-compose stack runs it on a plain Node image.
//
//   node monitoring/alert-log/server.mjs --port 9095 [--host 127.0.0.1] [--file alerts.log]
import { Buffer } from 'node:buffer';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9095' },
    host: { type: 'string', default: '0.0.0.0' },
    file: { type: 'string' },
  },
});

const MAX_BODY = 1024 * 1024;

/** `2026-11-27T01:02:03Z FIRING critical BatchJobFailed job=churn_predict: The last run …` */
function alertLines(notification) {
  return (notification.alerts ?? []).map((alert) => {
    const { alertname = '?', severity = '', ...labels } = alert.labels ?? {};
    const where = Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ');
    const text = alert.annotations?.description ?? alert.annotations?.summary ?? '';
    const at = alert.status === 'resolved' ? alert.endsAt : alert.startsAt;
    return `${at} ${String(alert.status).toUpperCase()} ${severity} ${alertname} ${where}: ${text}`;
  });
}

const server = createServer((request, response) => {
  if (request.method !== 'POST') {
    response.writeHead(request.url === '/-/ready' ? 200 : 405).end();
    return;
  }
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) request.destroy();
    else chunks.push(chunk);
  });
  request.on('end', () => {
    try {
      const lines = alertLines(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      for (const line of lines) console.log(line);
      if (values.file && lines.length > 0) appendFileSync(values.file, `${lines.join('\n')}\n`);
      response.writeHead(200).end();
    } catch (error) {
      console.error(`alert-log: unreadable notification: ${error.message}`);
      response.writeHead(400).end();
    }
  });
});

server.listen(Number(values.port), values.host, () => {
  console.log(`alert-log: listening on http://${values.host}:${values.port}/alerts`);
});
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => server.close(() => process.exit(0)));
