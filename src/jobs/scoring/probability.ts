/**
 * A stored model's churn probabilities: the forest's raw probability through the model's
 * calibration map (the identity for models saved before calibration), the one number every
 * command shows.
 */
import { calibrateAll, IDENTITY, type CalibrationMap } from '../../evaluation/calibration.js';
import type { FeatureColumn, Forest } from '../../forest/index.js';

export function calibrationOf(model: { calibration?: CalibrationMap }): CalibrationMap {
  return model.calibration ?? IDENTITY;
}

/** Calibrated probabilities of rows already in the model's columns, on the calling thread. */
export function churnProbabilities(
  loaded: { model: { calibration?: CalibrationMap }; forest: Forest },
  columns: FeatureColumn[],
): Float64Array {
  return calibrateAll(calibrationOf(loaded.model), loaded.forest.predictProba(columns));
}
