import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC_PATH, replaceReference } from '../../scripts/config-reference.js';

describe('docs/configuration.md', () => {
  it('lists every key as the schema defines it (run `npm run docs:config` to refresh)', () => {
    const document = readFileSync(DOC_PATH, 'utf8');
    expect(document).toBe(replaceReference(document));
  });
});
