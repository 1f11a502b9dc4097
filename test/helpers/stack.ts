import { serviceUrl, startLocalStack, type ServiceState } from '../../scripts/stack/local.js';
import { SERVICES, type ServiceContext, type ServiceName } from '../../scripts/stack/services.js';
import { freePort } from './pushgateway.js';

export interface TestStack {
  context: ServiceContext;
  services: ServiceState[];
  url(name: ServiceName): string;
}

/**
 * The monitoring stack as `npm run monitoring:up` starts it, but on free loopback ports and
 * scraping and evaluating every second.
 */
export async function startTestStack(dir: string): Promise<TestStack> {
  const ports = {} as Record<ServiceName, number>;
  for (const spec of SERVICES) ports[spec.name] = await freePort();
  const context: ServiceContext = { dir, ports };
  const services = await startLocalStack({ ...context, interval: '1s' });
  return { context, services, url: (name) => serviceUrl(context, name) };
}
