/**
 * The runnable documents (the README, then the tutorial's steps in order) as a reader meets them:
 * fenced blocks marked `sh runnable` are commands to run, and a block marked `<lang> output`
 * after one of them is what that command printed. Options after `output`:
 *
 * - `stdout`: only what it wrote to stdout (the log lines on stderr are step 2's subject);
 * - `from="…"` and `to="…"`: only the lines from the first containing one text to the first
 *   after it containing the other (an excerpt of a long output).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../stack/services.js';

export const TUTORIAL_DIR = join(REPOSITORY_ROOT, 'docs', 'tutorial');

/** Repository-relative paths, in the order a newcomer reads them. */
export function runnableDocuments(): string[] {
  return [
    'README.md',
    ...readdirSync(TUTORIAL_DIR)
      .filter((name) => /^\d\d-.*\.md$/.test(name))
      .sort()
      .map((name) => join('docs', 'tutorial', name)),
  ];
}

export interface OutputSpec {
  stdout: boolean;
  from?: string;
  to?: string;
}

export interface Fence {
  info: string;
  body: string;
  /** Offsets of the body in the document's text. */
  start: number;
  end: number;
}

export interface RunnableBlock {
  document: string;
  /** Position among the document's runnable blocks, from 1, for messages. */
  number: number;
  script: string;
  /** The output block that follows it, if any. */
  output: (Fence & { spec: OutputSpec }) | null;
}

const FENCE = /^```([^\n]*)\n([\s\S]*?)^```$/gm;

export function fences(text: string): Fence[] {
  return [...text.matchAll(FENCE)].map((match) => {
    const start = match.index + 3 + match[1].length + 1;
    return { info: match[1].trim(), body: match[2], start, end: start + match[2].length };
  });
}

export function outputSpec(info: string): OutputSpec | null {
  const words = info.split(/\s+/);
  if (words[1] !== 'output') return null;
  const quoted = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(info)?.[1];
  return { stdout: words.includes('stdout'), from: quoted('from'), to: quoted('to') };
}

export function runnableBlocks(document: string, text: string): RunnableBlock[] {
  const blocks: RunnableBlock[] = [];
  for (const fence of fences(text)) {
    if (fence.info === 'sh runnable') {
      blocks.push({ document, number: blocks.length + 1, script: fence.body, output: null });
      continue;
    }
    const spec = outputSpec(fence.info);
    if (spec === null) continue;
    const last = blocks.at(-1);
    if (!last || last.output) {
      throw new Error(`${document}: the output block at offset ${fence.start} follows no command`);
    }
    last.output = { ...fence, spec };
  }
  return blocks;
}

export function readDocument(document: string): string {
  return readFileSync(join(REPOSITORY_ROOT, document), 'utf8');
}

/** The document with each output block's body replaced, by block number. */
export function withOutputs(
  text: string,
  blocks: RunnableBlock[],
  bodies: Map<number, string>,
): string {
  let result = text;
  // From the end, so earlier offsets stay valid.
  for (const block of [...blocks].reverse()) {
    const body = bodies.get(block.number);
    if (!block.output || body === undefined) continue;
    result = result.slice(0, block.output.start) + body + result.slice(block.output.end);
  }
  return result;
}

/** The part of a command's output an output block shows. */
export function excerpt(output: string, spec: OutputSpec): string {
  let lines = output.replace(/\n+$/, '').split('\n');
  if (spec.from !== undefined) {
    const first = lines.findIndex((line) => line.includes(spec.from!));
    if (first < 0) throw new Error(`no line of the output contains "${spec.from}"`);
    lines = lines.slice(first);
  }
  if (spec.to !== undefined) {
    const last = lines.findIndex((line, i) => i > 0 && line.includes(spec.to!));
    if (last < 0) throw new Error(`no line after it contains "${spec.to}"`);
    lines = lines.slice(0, last + 1);
  }
  return lines.map((line) => line.trimEnd()).join('\n') + '\n';
}
