/** docs/grafana.md maps each panel of the course's four dashboards to ours: the names must hold. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../../scripts/dashboards/definitions.js';
import { REPO_ROOT } from '../helpers/cli.js';

const GUIDE = readFileSync(join(REPO_ROOT, 'docs', 'grafana.md'), 'utf8');

function mapRows(): Array<{ course: string; panel: string; ours: string[]; why: string }> {
  const section = /<!-- course-map:begin -->([\s\S]*?)<!-- course-map:end -->/.exec(GUIDE)![1];
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !/^\| (course dashboard|-)/.test(line))
    .map((line) => {
      const [course, panel, , ours, why] = line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim());
      return { course, panel, ours: ours === 'none' ? [] : ours.split('; '), why };
    });
}

describe("docs/grafana.md's map of the course's dashboards", () => {
  const panels = new Set(
    Object.values(DASHBOARDS).flatMap((dashboard) =>
      dashboard.panels.map(
        (panel) => `${dashboard.title.replace(/^churn \/ /, '')}: ${panel.title}`,
      ),
    ),
  );
  const rows = mapRows();

  it("covers every panel of the course's four dashboards", () => {
    const perDashboard = Object.fromEntries(
      [...new Set(rows.map((row) => row.course))].map((course) => [
        course,
        rows.filter((row) => row.course === course).length,
      ]),
    );
    // The course's overview, api-health, ml-metrics and business-churn dashboards.
    expect(perDashboard).toEqual({
      'System Overview': 10,
      'API Health & Performance': 10,
      'ML Model Metrics': 9,
      'Business Intelligence - Churn': 9,
    });
  });

  it('names only panels our dashboards have, and says why where there is none', () => {
    for (const row of rows) {
      for (const ours of row.ours) expect(panels, `${row.course} / ${row.panel}`).toContain(ours);
    }
    const unexplained = rows.filter((row) => row.ours.length === 0 && row.why.length < 20);
    expect(unexplained.map((row) => row.panel)).toEqual([]);
    expect(rows.filter((row) => row.ours.length === 0).length).toBeGreaterThan(0);
  });
});
