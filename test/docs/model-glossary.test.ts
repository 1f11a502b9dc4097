import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

describe("docs/model.md's glossary of a model's types", () => {
  it('names each type with the module that exports it', () => {
    const document = readFileSync(join(REPO_ROOT, 'docs', 'model.md'), 'utf8');
    const section = document.slice(document.indexOf("## A model's names"));
    const rows = [...section.matchAll(/^\|[^|]*\| `(\w+)` +\| `(src\/[\w/.-]+\.ts)` +\|/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const [, type, module] of rows) {
      const source = readFileSync(join(REPO_ROOT, module), 'utf8');
      expect(source, `${type} in ${module}`).toMatch(
        new RegExp(`^export (interface|type|class) ${type}\\b`, 'm'),
      );
    }
  });
});
