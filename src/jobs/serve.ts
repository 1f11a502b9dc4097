/**
 * `churn serve`: the scoring API. Loads the champion (or a pinned model), answers HTTP requests
 * with it, follows the registry so a promotion or a retrain is served within seconds, exposes
 * its metrics for Prometheus to scrape, and stops gracefully when asked.
 */
import { UsageError } from '../common/errors.js';
import type { RiskSettings } from './scoring/risk.js';
import type { Logger } from '../logging/logger.js';
import { ApiMetrics } from '../monitoring/api-metrics.js';
import { ModelRegistry } from '../registry/registry.js';
import { ModelKeeper } from '../serve/model-keeper.js';
import { ScoringServer, type ServerSettings, type Stopped } from '../serve/server.js';

export interface ServeJobOptions extends ServerSettings {
  modelsDir: string;
  /** A version or model path to serve for good; undefined follows the champion. */
  model?: string;
  cwd: string;
  /** How often the champion pointer is read again, in seconds. */
  watchSeconds: number;
  risk: RiskSettings;
}

export interface RunningServer {
  /** http://host:port, as bound. */
  url: string;
  /** The version answering now; null until a champion exists. */
  modelVersion(): string | null;
  /** Stops within `deadlineMs`, letting the requests in flight finish. */
  stop(deadlineMs: number): Promise<Stopped>;
}

export async function startServing(options: ServeJobOptions, log: Logger): Promise<RunningServer> {
  const metrics = new ApiMetrics();
  const keeper = new ModelKeeper({
    registry: new ModelRegistry(options.modelsDir),
    pinned: options.model,
    cwd: options.cwd,
    pollMs: options.watchSeconds * 1000,
    log,
    onSwap: (served) =>
      metrics.modelLoadedNow(served.version, served.forest.params, served.loadedAt),
    onFailure: () => metrics.modelLoadFailed(),
  });
  await keeper.start();
  const server = new ScoringServer(options, keeper, metrics, log);
  let address: { host: string; port: number };
  try {
    address = await server.listen();
  } catch (error) {
    keeper.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(
        `cannot listen on ${options.host}:${options.port} (${code}): ` +
          (code === 'EADDRINUSE'
            ? 'something else listens there; choose another port with --port'
            : 'choose another host or port (--host, --port)'),
      );
    }
    throw error;
  }
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const url = `http://${host}:${address.port}`;
  log.success('serving churn predictions', {
    url,
    model: keeper.current?.version ?? 'none yet',
    following: options.model === undefined ? 'the champion' : 'a pinned model',
  });
  return {
    url,
    modelVersion: () => keeper.current?.version ?? null,
    async stop(deadlineMs) {
      keeper.close();
      const stopped = await server.stop(deadlineMs);
      if (stopped.cutOff > 0) {
        log.warn(
          `stopped with ${stopped.cutOff} request(s) unanswered after ${deadlineMs / 1000} s`,
        );
      }
      return stopped;
    },
  };
}
