import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DOC_PATH,
  publishedFamilies,
  renderMetricsReference,
  replaceReference,
} from '../../scripts/metrics-reference.js';

describe('docs/metrics.md', () => {
  it('lists every metric the jobs publish and churn serve exposes, with its alerts and panels (run `npm run docs:metrics`)', async () => {
    const families = await publishedFamilies();
    expect(families.length).toBeGreaterThanOrEqual(20);
    const document = readFileSync(DOC_PATH, 'utf8');
    expect(replaceReference(document, renderMetricsReference(families))).toBe(document);
    for (const family of families) expect(document).toContain(`| \`${family.name}\` |`);
  });
});
