/**
 * Builders for the Grafana dashboard JSON (schema version 39, Grafana 10 and later). Panels are
 * laid out left to right in rows of 24 columns; each dashboard reads Prometheus through a
 * `datasource` variable, so an imported copy works with any Prometheus data source.
 */

export type Unit =
  'none' | 's' | 'dtdurations' | 'percentunit' | 'short' | 'dateTimeAsIso' | 'reqps' | 'bytes';

export interface Query {
  expr: string;
  legend?: string;
  /** Instant queries read only the latest value; tables and current figures use them. */
  instant?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
}

/** Colour steps: the first applies below the first boundary. */
export type Steps = Array<[color: string, from: number | null]>;

export interface PanelSpec {
  type: 'stat' | 'gauge' | 'timeseries' | 'bargauge' | 'piechart' | 'table';
  title: string;
  description: string;
  width: number;
  height: number;
  queries: Query[];
  unit?: Unit;
  decimals?: number;
  min?: number;
  max?: number;
  steps?: Steps;
  /** Values shown as words, e.g. 0 → OK. */
  mappings?: Array<{ value: number; text: string; color: string }>;
  stacked?: boolean;
  bars?: boolean;
  /** Table columns to hide. */
  hide?: string[];
  /** Stat panels: show the series name instead of its value. */
  showName?: boolean;
}

/**
 * Marks on every time series of a dashboard, one per distinct value of a query that returns a
 * time in milliseconds (Grafana's "use series value as timestamp").
 */
export interface AnnotationSpec {
  name: string;
  description: string;
  expr: string;
  /** Title and text of each mark, with {{label}} placeholders. */
  title: string;
  text: string;
  color: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** Panels in reading order; rows wrap at 24 columns. */
  panels: PanelSpec[];
  annotations?: AnnotationSpec[];
  timeFrom?: string;
}

export const NEUTRAL: Steps = [['blue', null]];

/** Steps for a score where higher is better: red below `poor`, orange below `good`, then green. */
export function higherIsBetter(poor: number, good: number): Steps {
  return [
    ['red', null],
    ['orange', poor],
    ['green', good],
  ];
}

/** Steps for a figure where lower is better. */
export function lowerIsBetter(warn: number, bad: number): Steps {
  return [
    ['green', null],
    ['orange', warn],
    ['red', bad],
  ];
}

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export function renderDashboard(spec: DashboardSpec): object {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = spec.panels.map((panel, index) => {
    if (x + panel.width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h: panel.height, w: panel.width, x, y };
    x += panel.width;
    rowHeight = Math.max(rowHeight, panel.height);
    return renderPanel(panel, index + 1, gridPos);
  });
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['churn'],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: spec.timeFrom ?? 'now-24h', to: 'now' },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: { text: 'Prometheus', value: 'prometheus' },
          hide: 0,
        },
      ],
    },
    annotations: { list: (spec.annotations ?? []).map(renderAnnotation) },
    links: [{ title: 'churn dashboards', type: 'dashboards', tags: ['churn'], asDropdown: true }],
    panels,
  };
}

function renderAnnotation(spec: AnnotationSpec): object {
  return {
    name: spec.name,
    datasource: DATASOURCE,
    enable: true,
    iconColor: spec.color,
    expr: spec.expr,
    step: '1m',
    useValueForTime: true,
    titleFormat: spec.title,
    textFormat: spec.text,
  };
}

function renderPanel(spec: PanelSpec, id: number, gridPos: object): object {
  return {
    id,
    type: spec.type,
    title: spec.title,
    description: spec.description,
    gridPos,
    datasource: DATASOURCE,
    targets: spec.queries.map((query, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource: DATASOURCE,
      expr: query.expr,
      legendFormat: query.legend ?? '__auto',
      instant: query.instant ?? false,
      range: !(query.instant ?? false),
      format: query.format ?? 'time_series',
    })),
    fieldConfig: {
      defaults: {
        unit: spec.unit ?? 'none',
        ...(spec.decimals === undefined ? {} : { decimals: spec.decimals }),
        ...(spec.min === undefined ? {} : { min: spec.min }),
        ...(spec.max === undefined ? {} : { max: spec.max }),
        color: {
          mode:
            spec.type === 'timeseries' || spec.type === 'piechart'
              ? 'palette-classic'
              : 'thresholds',
        },
        thresholds: {
          mode: 'absolute',
          steps: (spec.steps ?? NEUTRAL).map(([color, value]) => ({ color, value })),
        },
        mappings: (spec.mappings ?? []).map((mapping) => ({
          type: 'value',
          options: { [String(mapping.value)]: { text: mapping.text, color: mapping.color } },
        })),
        ...(spec.type === 'timeseries' ? { custom: timeseriesStyle(spec) } : {}),
      },
      overrides: [],
    },
    options: panelOptions(spec),
    ...(spec.hide
      ? {
          transformations: [
            {
              id: 'organize',
              options: { excludeByName: Object.fromEntries(spec.hide.map((name) => [name, true])) },
            },
          ],
        }
      : {}),
  };
}

function timeseriesStyle(spec: PanelSpec): object {
  return {
    drawStyle: spec.bars ? 'bars' : 'line',
    lineInterpolation: 'stepAfter',
    lineWidth: 2,
    fillOpacity: spec.bars || spec.stacked ? 70 : 10,
    showPoints: 'auto',
    spanNulls: true,
    stacking: { mode: spec.stacked ? 'normal' : 'none', group: 'A' },
  };
}

const LAST_VALUE = { calcs: ['lastNotNull'], fields: '', values: false };

function panelOptions(spec: PanelSpec): object {
  switch (spec.type) {
    case 'stat':
      return {
        reduceOptions: LAST_VALUE,
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: spec.showName ? 'name' : 'auto',
      };
    case 'gauge':
      return { reduceOptions: LAST_VALUE, showThresholdLabels: false, showThresholdMarkers: true };
    case 'bargauge':
      return {
        reduceOptions: LAST_VALUE,
        orientation: 'horizontal',
        displayMode: 'gradient',
        showUnfilled: true,
        valueMode: 'color',
      };
    case 'piechart':
      return {
        reduceOptions: LAST_VALUE,
        pieType: 'donut',
        displayLabels: ['percent'],
        legend: {
          displayMode: 'table',
          placement: 'right',
          showLegend: true,
          values: ['value', 'percent'],
        },
        tooltip: { mode: 'single', sort: 'none' },
      };
    case 'table':
      return {
        showHeader: true,
        cellHeight: 'sm',
        footer: { show: false, reducer: ['sum'], fields: '' },
      };
    case 'timeseries':
      return {
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      };
  }
}
