/**
 * What each route answers. POST /predict scores customers; GET /healthz says the process is up,
 * GET /readyz that a model is loaded (and the server is not stopping), GET /model which model
 * answers and how good it is, GET /metrics the Prometheus exposition. Every answer but /metrics
 * and a CSV prediction is JSON.
 */
import type { IncomingMessage } from 'node:http';
import { InputError } from '../common/errors.js';
import type { Explanation, ExplainMethod, FeatureColumn } from '../forest/index.js';
import type { ApiMetrics, ApiRoute } from '../monitoring/api-metrics.js';
import {
  copiedColumnIndexes,
  copiedColumns,
  formatRows,
  headerLine,
  PREDICTION_COLUMNS,
  predictionColumns,
} from '../jobs/scoring/output-columns.js';
import {
  explanationColumns,
  MISSING_VALUE,
  shownContribution,
  strongestReasons,
  type ExplanationRequest,
} from '../jobs/scoring/explanations.js';
import { predictedChurn, shownProbability } from '../jobs/scoring/prediction.js';
import {
  riskCutoffs,
  riskLevel,
  type RiskCutoffs,
  type RiskSettings,
} from '../jobs/scoring/risk.js';
import { readBody, type BodyLimits, type ByteBudget } from './body.js';
import { bodyFormat, readCustomers, type Customers } from './customers.js';
import { HttpError } from './http-error.js';
import type { ModelKeeper } from './model-keeper.js';
import { scoreCustomers, type ScoredCustomers, type ServedModel } from './scoring.js';

export interface RouteContext {
  keeper: ModelKeeper;
  metrics: ApiMetrics;
  body: BodyLimits;
  budget: ByteBudget;
  /** Medium risk from the served model's threshold when `medium` is null. */
  risk: RiskSettings;
  /** Longest CSV field or line, in characters (data.maxFieldSize). */
  maxFieldSize: number;
  /** How `?explain` explains (explain.method). */
  explainMethod: ExplainMethod;
  /** True once shutdown has begun: not ready any more. */
  stopping(): boolean;
}

export interface Answer {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';

type Handler = (
  request: IncomingMessage,
  query: URLSearchParams,
  context: RouteContext,
) => Promise<Answer> | Answer;

interface Route {
  method: 'GET' | 'POST';
  handle: Handler;
}

export const ROUTES: Record<Exclude<ApiRoute, 'other'>, Route> = {
  '/predict': { method: 'POST', handle: predict },
  '/healthz': { method: 'GET', handle: () => json(200, { status: 'ok' }) },
  '/readyz': { method: 'GET', handle: (_request, _query, context) => readiness(context) },
  '/model': { method: 'GET', handle: (_request, _query, context) => modelAnswer(context) },
  '/metrics': {
    method: 'GET',
    handle: async (_request, _query, { metrics }) => ({
      status: 200,
      body: await metrics.exposition(),
      contentType: metrics.contentType,
    }),
  },
};

export function json(status: number, value: unknown, headers?: Record<string, string>): Answer {
  return { status, body: JSON.stringify(value), contentType: JSON_TYPE, headers };
}

async function predict(
  request: IncomingMessage,
  query: URLSearchParams,
  context: RouteContext,
): Promise<Answer> {
  // Taken once: a champion swapped in meanwhile answers the next request, not half of this one.
  const served = context.keeper.current;
  if (served === null) throw notReady();
  const format = bodyFormat(request.headers['content-type']);
  const explain = explanationAsked(query, served, context.explainMethod);
  const csvAnswer = wantsCsv(request.headers.accept);
  const { body, release } = await readBody(request, context.body, context.budget);
  try {
    const customers = readCustomers(body, format, served.model.schema, context);
    const { schema } = served.model;
    const copy = csvAnswer ? copiedColumnIndexes(customers.source.header, schema.id, false) : [];
    let scored: ScoredCustomers;
    try {
      scored = await scoreCustomers(served, customers, { copy, explain: explain?.method });
    } catch (error) {
      // The encoder's word for a CSV body that lacks a feature column.
      if (error instanceof InputError) throw new HttpError(422, 'missing_features', error.message);
      throw error;
    }
    const risk = riskCutoffs(context.risk, served.model.threshold);
    countScores(scored, context.metrics, risk);
    return csvAnswer
      ? csvPredictions(scored, customers, served, risk, explain)
      : jsonPredictions(scored, customers, served, risk, explain);
  } finally {
    release();
  }
}

function countScores(
  { batches }: ScoredCustomers,
  metrics: RouteContext['metrics'],
  risk: RiskCutoffs,
): void {
  for (const { scores } of batches) {
    for (let row = 0; row < scores.length; row++) {
      metrics.customerScored(riskLevel(scores[row], risk), scores[row]);
    }
  }
}

/** Field names as `churn predict` names its output columns. */
const [PROBABILITY, PREDICTED, RISK_LEVEL] = PREDICTION_COLUMNS;

function jsonPredictions(
  { batches, warnings }: ScoredCustomers,
  customers: Customers,
  served: ServedModel,
  risk: RiskCutoffs,
  explain: ExplanationRequest | null,
): Answer {
  const { threshold, schema } = served.model;
  const predictions: Array<Record<string, unknown>> = [];
  const { ids } = customers;
  for (const { scores, columns, explanation } of batches) {
    for (let row = 0; row < scores.length; row++) {
      const score = scores[row];
      const index = predictions.length;
      predictions.push({
        ...(ids !== null && schema.id !== null ? { [schema.id]: ids[index] } : {}),
        [PROBABILITY]: shownProbability(score),
        [PREDICTED]: predictedChurn(score, threshold),
        [RISK_LEVEL]: riskLevel(score, risk),
        ...(explain?.output === 'reasons' && explanation
          ? { reasons: reasonsOf(served, columns, explanation, row, explain.count) }
          : {}),
      });
    }
  }
  const extra = warnings.length > 0 ? { warnings } : {};
  if (customers.single)
    return json(200, { ...predictions[0], model_version: served.version, ...extra });
  return json(200, { model_version: served.version, predictions, ...extra });
}

/**
 * A customer's reasons as `churn predict --explain` finds them: the strongest contributions, in
 * probability units to six decimals, each with the value the model read (a number as a number,
 * a missing value as null).
 */
function reasonsOf(
  served: ServedModel,
  columns: FeatureColumn[],
  explanation: Explanation,
  row: number,
  count: number,
): Array<{ feature: string; value: string | number | null; contribution: number }> {
  const { schema } = served.model;
  return strongestReasons(schema, columns, explanation, row, count).map(
    ({ feature, value, contribution }) => ({
      feature,
      value:
        value === MISSING_VALUE
          ? null
          : schema.features.find((spec) => spec.name === feature)?.kind === 'numeric'
            ? Number(value)
            : value,
      contribution: Number(shownContribution(contribution)),
    }),
  );
}

/** The very lines `churn predict` writes for these rows: its header, then one line per customer. */
function csvPredictions(
  { batches, warnings }: ScoredCustomers,
  customers: Customers,
  served: ServedModel,
  risk: RiskCutoffs,
  explain: ExplanationRequest | null,
): Answer {
  const { header } = customers.source;
  const { schema, threshold } = served.model;
  const copy = copiedColumnIndexes(header, schema.id, false);
  const columns = [
    copiedColumns(header, copy),
    predictionColumns(threshold, risk),
    ...(explain ? [explanationColumns(schema, explain)] : []),
  ];
  let body = headerLine(columns);
  for (const batch of batches) body += formatRows(batch, columns);
  return {
    status: 200,
    body,
    contentType: CSV_TYPE,
    headers: {
      'Churn-Model-Version': served.version,
      ...(warnings.length > 0 ? { 'Churn-Warnings': asciiJson(warnings) } : {}),
    },
  };
}

/** JSON with every character outside printable ASCII escaped, as a header value must be. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function wantsCsv(accept: string | undefined): boolean {
  return accept !== undefined && /(^|,)\s*text\/csv\b/i.test(accept);
}

/** `?explain=K`: each customer's K strongest reasons, as `churn predict --explain K` gives them. */
function explanationAsked(
  query: URLSearchParams,
  served: ServedModel,
  method: ExplainMethod,
): ExplanationRequest | null {
  const raw = query.get('explain');
  if (raw === null) return null;
  const features = served.model.schema.features.length;
  const count = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(count) || count < 1 || count > features) {
    throw new HttpError(
      400,
      'invalid_explain',
      `explain must be a whole number from 1 to ${features} (the model's features), got "${raw}"`,
    );
  }
  if (!served.forest.explainable) {
    throw new HttpError(
      501,
      'not_explainable',
      `the model served (${served.version}) was saved by an older churn, without the training ` +
        'rows per node that explanations need: retrain it to explain its scores',
    );
  }
  return { output: 'reasons', count, method };
}

function notReady(): HttpError {
  return new HttpError(
    503,
    'not_ready',
    'no model is loaded yet: train one (churn train) or promote one (churn models promote)',
    { 'Retry-After': '5' },
  );
}

function readiness(context: RouteContext): Answer {
  const served = context.keeper.current;
  if (context.stopping()) return json(503, { status: 'stopping' });
  if (served === null) return json(503, { status: 'not_ready', reason: notReady().message });
  return json(200, { status: 'ready', model_version: served.version });
}

function modelAnswer(context: RouteContext): Answer {
  const served = context.keeper.current;
  if (served === null) throw notReady();
  const { model, metadata, forest } = served;
  return json(200, {
    version: served.version,
    createdAt: model.createdAt,
    loadedAt: served.loadedAt.toISOString(),
    champion: context.keeper.championVersion,
    loadFailure: context.keeper.loadFailure,
    threshold: model.threshold,
    risk: riskCutoffs(context.risk, model.threshold),
    calibration: model.calibration?.method ?? 'identity',
    id: model.schema.id,
    features: model.schema.features.map((feature) =>
      feature.kind === 'categorical'
        ? { name: feature.name, kind: feature.kind, categories: feature.categories }
        : { name: feature.name, kind: feature.kind },
    ),
    params: forest.params,
    metrics: metadata?.metrics ?? null,
    ratings: metadata?.ratings ?? null,
    trainedOn: metadata
      ? {
          file: metadata.data.file,
          rows: metadata.data.trainRows,
          holdoutRows: metadata.data.holdoutRows,
        }
      : null,
  });
}
