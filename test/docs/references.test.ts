import { readdirSync, readFileSync } from 'node:fs';
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

describe("the README's layout", () => {
  it('names every folder of src/, where a contributor looks for code', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const layout = readme.slice(readme.indexOf('The layout follows'));
    const folders = readdirSync(new URL('../../src', import.meta.url), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'types')
      .map((entry) => `src/${entry.name}`);
    expect(folders.length).toBeGreaterThan(8);
    expect(folders.filter((folder) => !layout.includes(`\`${folder}\``))).toEqual([]);
  });
});
