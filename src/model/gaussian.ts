/** The normal distribution facts bias correction needs, in plain double precision. */

/** Complementary error function (Numerical Recipes' erfcc: fractional error below 1.2e-7 everywhere). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal cumulative distribution. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * E[min(max(X, 0), ceiling)] for X ~ N(mean, std²): the expected output of ReLU (ceiling ∞) or
 * ReLU6 (ceiling 6) fed a Gaussian. A zero std is a constant input.
 */
export function expectedClippedGaussian(mean: number, std: number, ceiling: number): number {
  if (!(std > 0)) return Math.min(Math.max(mean, 0), ceiling);
  const a = -mean / std;
  const below = normalCdf(a);
  if (ceiling === Infinity) return mean * (1 - below) + std * normalPdf(a);
  const b = (ceiling - mean) / std;
  const inside = normalCdf(b) - below;
  return mean * inside + std * (normalPdf(a) - normalPdf(b)) + ceiling * (1 - normalCdf(b));
}
