import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findConfigFile, loadConfig } from '../../src/config/load.js';
import { z } from 'zod';
import { CONFIG_SCHEMA, envVarName } from '../../src/config/schema.js';
import { tempDir } from '../helpers/cli.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

function writeConfig(content: unknown, name = 'churn.config.json'): string {
  const path = join(dir.path, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('configuration precedence', () => {
  it('uses the built-in defaults when there is no file, variable or flag', () => {
    const { config, file } = loadConfig({ cwd: dir.path, env: {} });
    expect(file).toBeNull();
    expect(config.model.trees).toBe(100);
    expect(config.training.testSize).toBe(0.15);
    expect(config.risk).toEqual({ medium: null, high: 0.5 });
    expect(config.model).toMatchObject({
      minSamplesLeaf: 10,
      classWeight: 'none',
      minCategoryRows: 10,
    });
    expect(config.training.calibration).toBe('platt');
    expect(config.log.level).toBe('info');
    expect(config.modelsDir).toBe(join(dir.path, 'outputs', 'models'));
  });

  it('lets the file override defaults, the environment the file, and flags the environment', () => {
    writeConfig({ model: { trees: 50, seed: 7 }, log: { level: 'warn' } });
    const fileOnly = loadConfig({ cwd: dir.path, env: {} }).config;
    expect([fileOnly.model.trees, fileOnly.model.seed, fileOnly.log.level]).toEqual([
      50,
      7,
      'warn',
    ]);

    const env = { CHURN_MODEL_TREES: '60', CHURN_LOG_LEVEL: 'debug' };
    const withEnv = loadConfig({ cwd: dir.path, env }).config;
    expect([withEnv.model.trees, withEnv.model.seed, withEnv.log.level]).toEqual([60, 7, 'debug']);

    const withFlags = loadConfig({
      cwd: dir.path,
      env,
      flags: [{ key: 'model.trees', value: '70', flag: '--trees' }],
    }).config;
    expect([withFlags.model.trees, withFlags.log.level]).toEqual([70, 'debug']);
  });

  it('reads --config instead of the default file, and requires it to exist', () => {
    writeConfig({ model: { trees: 11 } });
    writeConfig({ model: { trees: 22 } }, 'other.json');
    expect(
      loadConfig({ cwd: dir.path, env: {}, configFile: 'other.json' }).config.model.trees,
    ).toBe(22);
    expect(() => loadConfig({ cwd: dir.path, env: {}, configFile: 'missing.json' })).toThrow(
      '--config: no such file: missing.json',
    );
  });

  it('resolves paths in a file against the file, and others against the working directory', () => {
    mkdirSync(join(dir.path, 'conf'));
    writeConfig({ data: { train: 'train.csv' }, log: { dir: '/var/log/churn' } }, 'conf/c.json');
    const { config } = loadConfig({
      cwd: dir.path,
      env: { CHURN_DATA_SCORE: 'batch.csv' },
      configFile: 'conf/c.json',
    });
    expect(config.data.train).toBe(join(dir.path, 'conf', 'train.csv'));
    expect(config.data.score).toBe(join(dir.path, 'batch.csv'));
    expect(config.log.dir).toBe('/var/log/churn');
  });

  it('keeps - (standard input) as it is from a flag, a variable or the file', () => {
    writeConfig({ data: { train: '-' } });
    const { config } = loadConfig({
      cwd: dir.path,
      env: { CHURN_DATA_SCORE: '-' },
      flags: [{ key: 'data.target', value: 'saiu', flag: '--target' }],
    });
    expect(config.data.train).toBe('-');
    expect(config.data.score).toBe('-');
  });

  it('accepts null for nullable keys from text', () => {
    writeConfig({ model: { maxDepth: 8 } });
    const { config } = loadConfig({ cwd: dir.path, env: { CHURN_MODEL_MAX_DEPTH: 'null' } });
    expect(config.model.maxDepth).toBeNull();
  });

  it.each([
    ['sqrt', 'sqrt'],
    ['log2', 'log2'],
    ['all', 'all'],
    ['3', 3],
    ['0.5', 0.5],
  ])('parses maxFeatures %s', (text, expected) => {
    const env = { CHURN_MODEL_MAX_FEATURES: text };
    expect(loadConfig({ cwd: dir.path, env }).config.model.maxFeatures).toBe(expected);
  });
});

describe('configuration validation', () => {
  it('names an unknown key in the file and suggests the close one', () => {
    writeConfig({ model: { tress: 10 } });
    expect(() => loadConfig({ cwd: dir.path, env: {} })).toThrow(
      'churn.config.json: unknown key "model.tress" (did you mean "model.trees"?)',
    );
  });

  it('names a bad value, its source and what was expected', () => {
    writeConfig({ model: { trees: 0 } });
    expect(() => loadConfig({ cwd: dir.path, env: {} })).toThrow(
      'churn.config.json: model.trees must be an integer from 1 to 100000, got 0',
    );
  });

  it('rejects a number written as a string in JSON, but parses text from the environment', () => {
    writeConfig({ training: { testSize: '0.2' } });
    expect(() => loadConfig({ cwd: dir.path, env: {} })).toThrow(
      'churn.config.json: training.testSize must be a number between 0 and 1 (exclusive), got "0.2"',
    );
    writeConfig({});
    const env = { CHURN_TRAINING_TEST_SIZE: '0.2' };
    expect(loadConfig({ cwd: dir.path, env }).config.training.testSize).toBe(0.2);
  });

  it('names a bad environment variable and an unknown one', () => {
    expect(() => loadConfig({ cwd: dir.path, env: { CHURN_MODEL_TREES: 'many' } })).toThrow(
      'CHURN_MODEL_TREES must be an integer from 1 to 100000, got "many"',
    );
    expect(() => loadConfig({ cwd: dir.path, env: { CHURN_MODEL_TRESS: '5' } })).toThrow(
      'CHURN_MODEL_TRESS: unknown configuration variable (did you mean "CHURN_MODEL_TREES"?)',
    );
  });

  it('names the flag that gave a bad value', () => {
    expect(() =>
      loadConfig({
        cwd: dir.path,
        env: {},
        flags: [{ key: 'model.classWeight', value: 'heavy', flag: '--class-weight' }],
      }),
    ).toThrow('--class-weight must be one of balanced, none, got "heavy"');
  });

  it('rejects a file that is not JSON, naming the file', () => {
    writeConfig('{ "model": ');
    expect(() => loadConfig({ cwd: dir.path, env: {} })).toThrow(
      /^churn.config.json: not valid JSON/,
    );
  });

  it('names the line and column where a file stops being JSON', () => {
    writeConfig('{\n  "model": {\n    "trees": 10,\n  }\n}\n');
    expect(() => loadConfig({ cwd: dir.path, env: {} })).toThrow(
      /^churn.config.json: not valid JSON, line 4, column 3: Expected double-quoted property name$/,
    );
  });

  it('rejects risk cut-offs out of order', () => {
    writeConfig({ risk: { medium: 0.8, high: 0.7 } });
    expect(() => loadConfig({ cwd: dir.path, env: {} })).toThrow(
      'risk.medium (0.8) must be below risk.high (0.7)',
    );
  });

  it.each(['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'])(
    'refuses %s as an unknown key, at the top and inside a section',
    (name) => {
      writeConfig(`{ "${name}": 1 }`);
      expect(() => loadConfig({ cwd: dir.path, env: {} })).toThrow(
        `churn.config.json: unknown key "${name}"`,
      );
      writeConfig(`{ "model": { "${name}": { "trees": 5 } } }`);
      expect(() => loadConfig({ cwd: dir.path, env: {} })).toThrow(
        `churn.config.json: unknown key "model.${name}.trees"`,
      );
    },
  );

  it('reads a file that starts with a UTF-8 byte order mark', () => {
    writeConfig('\uFEFF' + JSON.stringify({ model: { trees: 33 } }));
    expect(loadConfig({ cwd: dir.path, env: {} }).config.model.trees).toBe(33);
  });

  it.each(['htp:/gateway:9091', 'gateway:9091', 'http//gateway:9091', 'ftp://gateway', 'http://'])(
    'refuses the Pushgateway URL %s, from a flag or the file',
    (url) => {
      const fromFlag = () =>
        loadConfig({
          cwd: dir.path,
          env: {},
          flags: [{ key: 'pushgateway.url', value: url, flag: '--pushgateway' }],
        });
      expect(fromFlag).toThrow(
        `--pushgateway must be an http or https URL or null, got ${JSON.stringify(url)}`,
      );
      writeConfig({ pushgateway: { url } });
      expect(() => loadConfig({ cwd: dir.path, env: {} })).toThrow(
        'churn.config.json: pushgateway.url must be an http or https URL or null',
      );
    },
  );

  it('accepts http and https Pushgateway URLs, and hides the password of a bad one', () => {
    for (const url of ['http://127.0.0.1:9091', 'https://push.example.com/base/']) {
      const env = { CHURN_PUSHGATEWAY_URL: url };
      expect(loadConfig({ cwd: dir.path, env }).config.pushgateway.url).toBe(url);
    }
    const env = { CHURN_PUSHGATEWAY_URL: 'htp://ana:hunter2@gateway:9091' };
    expect(() => loadConfig({ cwd: dir.path, env })).toThrow(
      'CHURN_PUSHGATEWAY_URL must be an http or https URL or null, got "htp://***@gateway:9091"',
    );
  });

  it('refuses the same column as id and target, naming where each came from', () => {
    const flags = [
      { key: 'data.id' as const, value: 'saiu', flag: '--id' },
      { key: 'data.target' as const, value: 'saiu', flag: '--target' },
    ];
    expect(() => loadConfig({ cwd: dir.path, env: {}, flags })).toThrow(
      '--id and --target name the same column "saiu": the target cannot also be the id',
    );
    writeConfig({ data: { target: 'churn', id: 'churn' } });
    expect(() => loadConfig({ cwd: dir.path, env: {} })).toThrow(
      'churn.config.json: data.id and data.target name the same column "churn"',
    );
  });

  it("accepts every key's default with its own schema", () => {
    const { config } = loadConfig({ cwd: dir.path, env: {} });
    for (const [key, spec] of Object.entries(CONFIG_SCHEMA)) {
      const [section, name] = key.split('.');
      const value =
        name === undefined ? config[section as 'modelsDir'] : (config as never)[section][name];
      expect(spec.schema(z).safeParse(spec.default).success, key).toBe(true);
      if (!('path' in spec)) expect(value, key).toEqual(spec.default);
    }
  });

  it('derives environment variable names from keys', () => {
    expect(envVarName('model.maxDepth')).toBe('CHURN_MODEL_MAX_DEPTH');
    expect(envVarName('modelsDir')).toBe('CHURN_MODELS_DIR');
    expect(envVarName('data.positiveLabel')).toBe('CHURN_DATA_POSITIVE_LABEL');
  });
});

describe('configuration discovery', () => {
  it('reads the nearest churn.config.json above the working directory, as the project it marks', () => {
    writeConfig({ data: { train: 'data/train.csv' }, model: { trees: 12 } });
    const nested = join(dir.path, 'src', 'deep');
    mkdirSync(nested, { recursive: true });
    const { config, file } = loadConfig({
      cwd: nested,
      env: { CHURN_DATA_SCORE: 'batch.csv' },
    });
    expect(file).toBe(join(dir.path, 'churn.config.json'));
    expect(config.model.trees).toBe(12);
    // The file's paths, and the built-in default folders, lie in the project...
    expect(config.data.train).toBe(join(dir.path, 'data', 'train.csv'));
    expect(config.modelsDir).toBe(join(dir.path, 'outputs', 'models'));
    expect(config.log.dir).toBe(join(dir.path, 'logs'));
    // ...and a path typed here is relative to here.
    expect(config.data.score).toBe(join(nested, 'batch.csv'));
    expect(findConfigFile(nested)).toBe(join(dir.path, 'churn.config.json'));
  });

  it('names the file as reached from the working directory, and prefers the nearest one', () => {
    writeConfig({ model: { tress: 1 } });
    const sub = join(dir.path, 'sub');
    mkdirSync(sub);
    expect(() => loadConfig({ cwd: sub, env: {} })).toThrow(
      '../churn.config.json: unknown key "model.tress"',
    );
    writeFileSync(join(sub, 'churn.config.json'), JSON.stringify({ model: { trees: 3 } }));
    expect(loadConfig({ cwd: join(sub), env: {} }).config.model.trees).toBe(3);
  });

  it('stops at the file system root when no folder above has one', () => {
    const nested = join(dir.path, 'a', 'b');
    mkdirSync(nested, { recursive: true });
    // Nothing in the temporary tree: what is found, if anything, lies above it.
    expect(findConfigFile(nested)).toBe(findConfigFile(join(dir.path, '..')));
    expect(findConfigFile('/')).toBe(
      existsSync('/churn.config.json') ? '/churn.config.json' : null,
    );
  });

  it('keeps the default folders in the working directory with --config, as before', () => {
    writeConfig({ model: { trees: 9 } }, 'conf.json');
    const sub = join(dir.path, 'sub');
    mkdirSync(sub);
    const { config } = loadConfig({ cwd: sub, env: {}, configFile: '../conf.json' });
    expect(config.model.trees).toBe(9);
    expect(config.log.dir).toBe(join(sub, 'logs'));
  });
});

describe('the repository configuration', () => {
  it('points the defaults at the shipped sample data', () => {
    const root = new URL('../..', import.meta.url).pathname;
    const { config } = loadConfig({ cwd: root, env: {} });
    expect(config.data.train).toBe(join(root, 'data', 'train.csv'));
    expect(config.data.target).toBe('saiu');
    expect(config.data.id).toBe('id_cliente');
  });
});
