/// <reference lib="dom" />
/**
 * The report as people see it: rendered by Debian's Chromium through playwright-core, with no
 * console error and no request beyond the file itself, on screen and in print.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { binary, requires } from '../helpers/prerequisites.js';
import { SUMMARY_ROWS } from '../../src/jobs/explanation-summary.js';

const CHROMIUM = '/usr/bin/chromium';

/** Share of non-white pixels and number of distinct colours of a PNG, measured by the browser itself. */
async function inkOf(page: Page, png: Buffer): Promise<{ ink: number; colours: number }> {
  return page.evaluate(
    async (dataUrl) => {
      const image = new Image();
      image.src = dataUrl;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, image.width, image.height);
      let ink = 0;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] < 245 || data[i + 1] < 245 || data[i + 2] < 245) ink++;
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      }
      return { ink: ink / (data.length / 4), colours: colours.size };
    },
    `data:image/png;base64,${png.toString('base64')}`,
  );
}

requires(
  [binary(CHROMIUM, 'chromium')],
  'the report rendered in Chromium: no console error or request, its charts drawn, on screen and in print',
).describe('the model report in a browser', () => {
  const scratch = tempDir();
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    copySampleProject(scratch.path);
    const trained = await runChurn(['train', '--quiet', '--trees', '30'], { cwd: scratch.path });
    expect(trained.code, trained.stderr).toBe(0);
    const report = await runChurn(
      ['report', '--data', 'data/new_batch_2.csv', '--out', 'report.html', '--quiet'],
      { cwd: scratch.path },
    );
    expect(report.code, report.stderr).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) problems.push(`requested ${request.url()}`);
    });
    await page.goto(pathToFileURL(join(scratch.path, 'report.html')).href);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    scratch.remove();
  });

  it('renders with no console error and asks the network for nothing', () => {
    expect(problems).toEqual([]);
  });

  it('draws every chart with a size, and a screenshot that is far from blank', async () => {
    const charts = await page.$$eval('svg', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return {
          label: svg.getAttribute('aria-label'),
          width: box.width,
          height: box.height,
          shapes: svg.querySelectorAll('path, rect, circle').length,
        };
      }),
    );
    expect(charts.map((chart) => chart.label)).toEqual([
      'Cumulative gains',
      'ROC curve',
      'Precision-recall curve',
      'Score distribution by class, holdout',
      'Score distribution by class, data/new_batch_2.csv',
      'Reliability diagram',
      'Mean absolute contribution per feature',
      'Dependence plot, idade',
      'Dependence plot, numero_produtos',
      'Dependence plot, pais',
      'Feature importances',
      'Population stability index per feature',
    ]);
    // A dependence plot draws one point per explained row (none is missing here), and its axes.
    const dependence = charts.filter((chart) => chart.label!.startsWith('Dependence plot'));
    for (const chart of dependence)
      expect(chart.shapes, chart.label!).toBeGreaterThan(SUMMARY_ROWS);
    for (const chart of charts) {
      expect(chart.width, chart.label!).toBeGreaterThan(200);
      expect(chart.height, chart.label!).toBeGreaterThan(100);
      expect(chart.shapes, chart.label!).toBeGreaterThan(2);
    }
    const shot = await page.screenshot({ fullPage: true, path: join(scratch.path, 'report.png') });
    const { ink, colours } = await inkOf(page, shot);
    expect(ink).toBeGreaterThan(0.05);
    expect(colours).toBeGreaterThan(100);
  });

  it('says what a retention team reads first, and labels the operating point where it is drawn', async () => {
    const headlines = await page.$$eval('p.headline', (ps) => ps.map((p) => p.textContent));
    expect(headlines).toHaveLength(2);
    for (const text of headlines)
      expect(text).toMatch(/the top 10% of scores hold \d+% of the churners \(lift \d\.\d\)/);
    // Visible text next to the threshold's point on both curves, inside their charts.
    for (const chart of ['ROC curve', 'Precision-recall curve']) {
      const labels = await page.$$eval(`svg[aria-label="${chart}"] text.mark-label`, (texts) =>
        texts.map((text) => {
          const box = text.getBoundingClientRect();
          const plot = text.closest('svg')!.getBoundingClientRect();
          return {
            text: text.textContent,
            inside: box.left >= plot.left && box.right <= plot.right && box.width > 0,
          };
        }),
      );
      // One per set, coloured as its curve; the tooltip names the set.
      expect(labels.map((label) => label.text)).toEqual([
        expect.stringMatching(/^threshold 0\.\d{3}$/),
        expect.stringMatching(/^threshold 0\.\d{3}$/),
      ]);
      for (const label of labels) expect(label.inside, `${chart}: ${label.text}`).toBe(true);
    }
    const reliability = await page.$eval(
      'svg[aria-label="Reliability diagram"]',
      (svg) => svg.closest('figure')!.textContent,
    );
    expect(reliability).toMatch(/Brier score 0\.\d{4}, log loss 0\.\d{4}/);
  });

  it('fits the page width on screen and on paper', async () => {
    const overflow = () =>
      page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
    expect(await overflow()).toBeLessThanOrEqual(0);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(problems).toEqual([]);
  });
});
