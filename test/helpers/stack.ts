import {
  serviceUrl,
  startLocalStack,
  type ServiceState,
  type StackSelection,
} from '../../scripts/stack/local.js';
import { SERVICES, type ServiceName } from '../../scripts/stack/services.js';
import { freePort } from './pushgateway.js';

export interface TestStack {
  context: StackSelection;
  services: ServiceState[];
  url(name: ServiceName): string;
  /** The free port Prometheus scrapes `churn serve` on (never a real 8000 of the machine). */
  apiPort: number;
}

/**
 * The monitoring stack as `npm run monitoring:up` starts it, but on free loopback ports and
 * scraping and evaluating every second. Grafana only when asked for, from `path` (a stand-in):
 * a Grafana installed on the machine must not slow every test that starts a stack.
 */
export async function startTestStack(
  dir: string,
  options: { grafanaFrom?: string } = {},
): Promise<TestStack> {
  const ports = {} as Record<ServiceName, number>;
  for (const spec of SERVICES) ports[spec.name] = await freePort();
  const apiPort = await freePort();
  const context: StackSelection = options.grafanaFrom
    ? { dir, ports, apiPort, path: `${options.grafanaFrom}:${process.env.PATH}` }
    : { dir, ports, apiPort, leaveOut: ['grafana'] };
  const services = await startLocalStack({ ...context, interval: '1s' });
  return { context, services, url: (name) => serviceUrl(context, name), apiPort };
}
