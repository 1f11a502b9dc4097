import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binary, decide, isCi, pythonWith, sharedData } from './prerequisites.js';

describe('what a test does when the machine lacks what it needs', () => {
  const here = binary(process.execPath, 'nodejs');
  const gone = binary('/usr/bin/no-such-tool', 'no-such-package');
  const data = sharedData('/nonexistent/shared/data/bank-churn/dados_treino.csv');

  it('runs when everything is there, in CI or not', () => {
    expect(decide([here], 'x', true)).toEqual({ action: 'run' });
    expect(decide([here], 'x', false)).toEqual({ action: 'run' });
  });

  it('skips locally, saying what was not checked, what is missing and how to install it', () => {
    expect(decide([here, gone], 'the live stack', false)).toEqual({
      action: 'skip',
      message:
        'not checked: the live stack; missing /usr/bin/no-such-tool (Debian: apt-get install no-such-package)',
    });
  });

  it('fails under CI when a binary is missing, naming it', () => {
    const decision = decide([gone, data], 'the live stack', true);
    expect(decision.action).toBe('fail');
    expect(decision).toHaveProperty('message', expect.stringContaining('CI=true'));
    expect(decision).toHaveProperty('message', expect.stringContaining('/usr/bin/no-such-tool'));
  });

  it('only skips for the shared data, which no clone has, CI included', () => {
    const decision = decide([data], 'the course data', true);
    expect(decision).toEqual({
      action: 'skip',
      message: expect.stringContaining(
        'not checked: the course data; missing /nonexistent/shared/data/bank-churn/dados_treino.csv',
      ),
    });
  });

  it('reads CI as CI services set it', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(isCi({})).toBe(false);
  });

  it('checks that Python imports the modules, not only that it exists', () => {
    expect(pythonWith(['no_such_module_for_churn'], ['python3']).present).toBe(false);
    expect(pythonWith(['json'], ['python3']).present).toBe(existsSync('/usr/bin/python3'));
  });
});
