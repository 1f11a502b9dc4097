/**
 * Gauss–Legendre quadrature on [0, 1]: `points` nodes and weights that integrate every polynomial
 * of degree below 2 × points exactly (up to rounding). Exact TreeSHAP integrates polynomials
 * whose degree is bounded by the features on a path (explain-exact.ts).
 */
export interface Quadrature {
  nodes: Float64Array;
  weights: Float64Array;
}

const cache = new Map<number, Quadrature>();

export function gaussLegendre(points: number): Quadrature {
  if (!Number.isInteger(points) || points < 1) throw new RangeError('points must be at least 1');
  let rule = cache.get(points);
  if (!rule) {
    rule = computeRule(points);
    cache.set(points, rule);
  }
  return rule;
}

/**
 * The roots of the Legendre polynomial P_n on [−1, 1] by Newton's method from the usual
 * Chebyshev-like first guesses (Press et al., Numerical Recipes, gauleg), mapped to [0, 1].
 */
function computeRule(n: number): Quadrature {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      // P_n(x) and P_n'(x) by the three-term recurrence.
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    const weight = 2 / ((1 - x * x) * derivative * derivative);
    // Symmetric pairs; on [0, 1] the nodes are (1 ∓ x) / 2 and the weights halve.
    nodes[i] = (1 - x) / 2;
    nodes[n - 1 - i] = (1 + x) / 2;
    weights[i] = weight / 2;
    weights[n - 1 - i] = weight / 2;
  }
  return { nodes, weights };
}
