/**
 * The prose of the README and the tutorial agrees with the excerpts it explains: a metric or a
 * threshold the text cites (a figure of three or more decimals, like F2 0.6960) is one that an
 * output excerpt of the same page or an earlier one shows, to the decimals cited. The excerpts
 * come from a real run (npm run docs:tutorial), so a figure in the text that no run printed is
 * one a reader will not see.
 */
import { describe, expect, it } from 'vitest';
import { fences, readDocument, runnableDocuments } from '../../scripts/tutorial/documents.js';

const FIGURE = /(?<![\d.])\d+\.\d{3,}(?!\.?\d)/g;

/** Each figure of the prose, and each figure the output blocks print, of one document. */
function figures(text: string): { cited: string[]; printed: string[] } {
  const blocks = fences(text);
  let prose = text;
  for (const block of [...blocks].reverse()) {
    prose = prose.slice(0, block.start) + prose.slice(block.end);
  }
  const printed = blocks
    .filter((block) => /^\S+ output\b/.test(block.info))
    .flatMap((block) => block.body.match(/(?<![\d.])\d+\.\d+(?!\.?\d)/g) ?? []);
  return { cited: prose.match(FIGURE) ?? [], printed };
}

/** The cited figure is the printed one, rounded to as many decimals as the text gives. */
function shows(printed: string, cited: string): boolean {
  const decimals = cited.split('.')[1].length;
  return printed.split('.')[1].length >= decimals && Number(printed).toFixed(decimals) === cited;
}

describe("the tutorial's prose", () => {
  it('cites only figures that its excerpts show', () => {
    const printedSoFar: string[] = [];
    const unseen: string[] = [];
    let cited = 0;
    for (const document of runnableDocuments()) {
      const found = figures(readDocument(document));
      printedSoFar.push(...found.printed);
      for (const figure of found.cited) {
        cited++;
        if (!printedSoFar.some((printed) => shows(printed, figure))) {
          unseen.push(`${document}: ${figure}`);
        }
      }
    }
    expect(cited).toBeGreaterThan(0);
    expect(unseen, 'figures in the text that no excerpt so far shows').toEqual([]);
  });

  it('tells a figure that an excerpt shows from one it does not', () => {
    const page = [
      'The threshold is 0.1734 and F2 0.694.',
      '```text output',
      '  F2          0.6960  weak',
      '  threshold   0.1734',
      '```',
      '',
    ].join('\n');
    const found = figures(page);
    expect(found.cited).toEqual(['0.1734', '0.694']);
    expect(found.cited.map((figure) => found.printed.some((p) => shows(p, figure)))).toEqual([
      true,
      false,
    ]);
    expect(shows('0.6960', '0.696')).toBe(true);
    expect(shows('0.74', '0.740')).toBe(false);
  });
});
