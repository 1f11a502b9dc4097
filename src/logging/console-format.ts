import type { ChalkInstance } from 'chalk';
import { palette } from '../common/colors.js';

const HIDDEN_FIELDS = new Set(['level', 'message', 'command', 'runId', 'timestamp']);

function levelColor(c: ChalkInstance, level: string): ChalkInstance {
  switch (level) {
    case 'error':
      return c.red.bold;
    case 'warn':
      return c.yellow;
    case 'success':
      return c.green;
    case 'info':
      return c.cyan;
    default:
      return c.gray;
  }
}

/** `20:31:02 INFO    trained forest trees=100 seconds=0.42`, as loguru's default sink reads. */
export function formatConsoleLine(info: Record<string | symbol, unknown>, color: boolean): string {
  const c = palette(color);
  const time = new Date().toTimeString().slice(0, 8);
  const level = String(info.level);
  const context = Object.entries(info)
    .filter(([key]) => !HIDDEN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
  const label = levelColor(c, level)(level.toUpperCase().padEnd(7));
  return `${c.dim(time)} ${label} ${String(info.message)}${context ? ' ' + c.dim(context) : ''}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
  }
  if (value && typeof value === 'object' && 'message' in value) {
    return JSON.stringify((value as Error).message);
  }
  return JSON.stringify(value);
}
