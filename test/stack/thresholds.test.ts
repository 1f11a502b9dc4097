/**
 * The thresholds the CLI warns at and the alerts fire at come from one place: the configuration's
 * defaults. Each alert threshold that follows a key names it in a comment beside it in
 * alert_rules.yml; each key whose description names an alert must be followed by that alert.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MONITORING_DIR } from '../../scripts/stack/services.js';
import { CONFIG_SCHEMA, type ConfigKey } from '../../src/config/schema.js';

const RULES = readFileSync(join(MONITORING_DIR, 'prometheus', 'alert_rules.yml'), 'utf8');

interface Tagged {
  alert: string;
  key: string;
  value: number;
}

/** Every `<op> <number> # <key>` in the rule file, with the alert it belongs to. */
function taggedThresholds(text: string): Tagged[] {
  const found: Tagged[] = [];
  let alert = '';
  for (const line of text.split('\n')) {
    const rule = /^\s*- alert: (\w+)/.exec(line);
    if (rule) alert = rule[1];
    const tag = /(?:<|>|<=|>=)\s*(-?[\d.]+)\s*# ([\w.]+)\s*$/.exec(line);
    if (tag) found.push({ alert, key: tag[2], value: Number(tag[1]) });
  }
  return found;
}

function descriptionOf(alert: string): string {
  const start = RULES.indexOf(`- alert: ${alert}\n`);
  const next = RULES.indexOf('- alert: ', start + 1);
  return RULES.slice(start, next < 0 ? undefined : next);
}

const SPECS = CONFIG_SCHEMA as Record<string, { default: unknown; description: string }>;

describe('alert thresholds and the configuration', () => {
  const tagged = taggedThresholds(RULES);

  it('tag thresholds with existing keys, at those keys’ defaults, and say so in the description', () => {
    expect(tagged.length).toBeGreaterThanOrEqual(6);
    for (const { alert, key, value } of tagged) {
      expect(SPECS[key], `${alert}: ${key}`).toBeDefined();
      expect(value, `${alert}: ${key}`).toBe(SPECS[key].default);
      expect(descriptionOf(alert), `${alert} names ${value}`).toMatch(
        new RegExp(`\\((threshold|margin) ${String(value).replace('.', '\\.')}\\)`),
      );
    }
  });

  it('follow every key whose description promises an alert', () => {
    const promised = Object.entries(SPECS).flatMap(([key, spec]) =>
      [...spec.description.matchAll(/the `(\w+)`(?: and `(\w+)`)? alerts? /g)].flatMap((match) =>
        [match[1], match[2]].filter(Boolean).map((alert) => ({ key: key as ConfigKey, alert })),
      ),
    );
    expect(promised.map(({ alert }) => alert).sort()).toEqual([
      'DatasetDrift',
      'FeatureDrift',
      'LowAUC',
      'LowF2Score',
      'ModelPerformanceDegraded',
      'ScoreDrift',
    ]);
    for (const { key, alert } of promised) {
      expect(
        tagged.some((threshold) => threshold.alert === alert && threshold.key === key),
        `${alert} follows ${key}`,
      ).toBe(true);
    }
  });

  it('catch a rule whose threshold moved away from its key', () => {
    const moved = RULES.replace('< 0.7 # quality.minF2', '< 0.6 # quality.minF2');
    const wrong = taggedThresholds(moved).filter(({ key, value }) => value !== SPECS[key].default);
    expect(wrong).toEqual([{ alert: 'LowF2Score', key: 'quality.minF2', value: 0.6 }]);
  });
});
