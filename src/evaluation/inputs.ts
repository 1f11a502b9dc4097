export interface InputRequirements {
  bothClasses?: boolean;
  positives?: boolean;
}

/** Labels 0/1 and finite scores of equal length; throws RangeError naming what is wrong. */
export function checkInputs(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  requirements: InputRequirements = {},
): { positives: number; negatives: number } {
  if (labels.length !== scores.length) {
    throw new RangeError(`${labels.length} labels but ${scores.length} scores`);
  }
  if (labels.length === 0) throw new RangeError('no rows to evaluate');
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1)
      throw new RangeError(`label ${labels[i]} at row ${i} is not 0 or 1`);
    if (!Number.isFinite(scores[i]))
      throw new RangeError(`score ${scores[i]} at row ${i} is not a finite number`);
    positives += labels[i];
  }
  const negatives = labels.length - positives;
  if (requirements.bothClasses && (positives === 0 || negatives === 0)) {
    throw new RangeError('this metric needs rows of both classes');
  }
  if (requirements.positives && positives === 0)
    throw new RangeError('this metric needs positive rows');
  return { positives, negatives };
}
