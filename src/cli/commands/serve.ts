import type { Command } from 'commander';
import { ChurnError } from '../../common/errors.js';
import type { Environment } from '../context.js';
import { addFlags } from '../flags.js';
import { MODELS_DIR } from '../options.js';

interface ServeFlags {
  model?: string;
}

export function registerServe(program: Command, environment: Environment): void {
  const command = program
    .command('serve')
    .description('answer churn predictions over HTTP, with metrics for Prometheus to scrape');
  addFlags(command, [
    { flags: '--port <n>', description: 'port to listen on (0: a free one)', key: 'serve.port' },
    { flags: '--host <address>', description: 'address to listen on', key: 'serve.host' },
    {
      flags: '--model <version|path>',
      description: 'serve this model for good instead of following the champion',
      defaultText: 'the champion, followed as it changes',
    },
    MODELS_DIR,
  ])
    .addHelpText(
      'after',
      `
Routes:
  POST /predict   one customer (a JSON object) or many (a JSON array, or CSV with
                  Content-Type: text/csv); answers churn_probability, churn_predicted and
                  risk_level, the numbers churn predict writes (CSV back with Accept: text/csv);
                  ?explain=K adds each customer's K strongest reasons, as predict --explain K
  GET  /healthz   alive        GET /readyz  a model is loaded      GET /model  the model served
  GET  /metrics   Prometheus metrics: requests, latency, in flight, customers by risk level

A promotion or a retrain is served within serve.watchSeconds, without a restart. SIGTERM or
Ctrl-C stops it gracefully: the requests in flight are answered (for up to
serve.shutdownSeconds), then it exits 0. Limits and timeouts: the serve.* keys (docs/serve.md).

Examples:
  churn serve
  churn serve --port 8080 --host 0.0.0.0
  curl -s localhost:8000/predict -H 'content-type: application/json' \\
    -d '{"pais": "França", "genero": "Feminino", "idade": 42, …}'`,
    )
    .action(async (flags: ServeFlags, cmd: Command) => {
      const { runCommand } = await import('../context.js');
      const { startServing } = await import('../../jobs/serve.js');
      await runCommand('serve', cmd, environment, async ({ config, log, out }) => {
        const { serve } = config;
        const running = await startServing(
          {
            host: serve.host,
            port: serve.port,
            maxBodyBytes: serve.maxBodyBytes,
            maxBufferedBytes: serve.maxBufferedBytes,
            maxConnections: serve.maxConnections,
            headersTimeoutMs: serve.headersTimeoutSeconds * 1000,
            bodyTimeoutMs: serve.bodyTimeoutSeconds * 1000,
            keepAliveTimeoutMs: serve.keepAliveSeconds * 1000,
            watchSeconds: serve.watchSeconds,
            risk: config.risk,
            maxFieldSize: config.data.maxFieldSize,
            explainMethod: config.explain.method,
            modelsDir: config.modelsDir,
            model: flags.model,
            cwd: environment.cwd,
          },
          log,
        );
        log.keep(); // listening: the server's log is kept, in a project or not
        out.result(
          { url: running.url, modelVersion: running.modelVersion() },
          (started, c) =>
            `${c.green('✔')} serving on ${c.bold(started.url)} with ` +
            `${started.modelVersion ? c.bold(started.modelVersion) : 'no model yet (not ready)'}; ` +
            'Ctrl-C stops',
        );
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          environment.state.stopOnSignal = resolve;
        });
        log.info(`stopping on ${signal}`, { deadlineSeconds: serve.shutdownSeconds });
        const { cutOff } = await running.stop(serve.shutdownSeconds * 1000);
        if (cutOff > 0) {
          throw new ChurnError(
            `stopped on ${signal} with ${cutOff} request(s) still unanswered after ` +
              `serve.shutdownSeconds (${serve.shutdownSeconds} s): their connections were closed`,
          );
        }
      });
    });
}
