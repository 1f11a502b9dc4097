/**
 * Renders the Grafana dashboards of scripts/dashboards/ into monitoring/grafana/dashboards/.
 * `npm run dashboards` rewrites them; a test fails when the committed files differ.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS } from './dashboards/definitions.js';
import { renderDashboard } from './dashboards/panels.js';

export const DASHBOARD_DIR = fileURLToPath(
  new URL('../monitoring/grafana/dashboards', import.meta.url),
);

export function renderedDashboards(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(DASHBOARDS).map(([file, spec]) => [
      file,
      `${JSON.stringify(renderDashboard(spec), null, 2)}\n`,
    ]),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, text] of Object.entries(renderedDashboards())) {
    writeFileSync(join(DASHBOARD_DIR, file), text);
  }
}
