// The B-spline elastic deformation of the reference augmentation (REFERENCE_SPEC §6 step 5), as
// SimpleITK's BSplineTransform with a 6×6 mesh: cubic B-splines over a 9×9 grid of control points
// whose spacing is the image extent / 6, the grid starting one spacing before the image's extent.
import type { GeometricStep } from './geometry.js';

const SPLINE_ORDER = 3;

/** Control-point displacements in pixels, (meshSize + 3)² each, row-major (x fastest). */
export interface ControlDisplacements {
  readonly meshSize: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

export interface ElasticOptions {
  /** B-spline mesh cells per axis; control points per axis = meshSize + 3 (default 6, so 9×9). */
  meshSize?: number;
  /** Standard deviation of each control-point displacement, pixels (default 15). */
  sigma?: number;
  /**
   * Reproduce the reference code's zeroing of the first third of the parameters (default false):
   * no horizontal displacement on the top two thirds of the control rows (REFERENCE_SPEC §13.6).
   */
  zeroFirstThird?: boolean;
}

/** Independent N(0, sigma²) displacements for every control point, drawn from `random` (uniform [0, 1)). */
export function randomControlDisplacements(random: () => number, options: ElasticOptions = {}): ControlDisplacements {
  const meshSize = options.meshSize ?? 6;
  const sigma = options.sigma ?? 15;
  const points = (meshSize + SPLINE_ORDER) ** 2;
  const parameters = new Float64Array(2 * points);
  for (let k = 0; k < parameters.length; k++) parameters[k] = sigma * standardNormal(random);
  if (options.zeroFirstThird) parameters.fill(0, 0, Math.floor(parameters.length / 3));
  return { meshSize, x: parameters.subarray(0, points), y: parameters.subarray(points) };
}

/**
 * The deformation as a step of a sampling chain: output point p samples the input at p + D(p), D
 * the B-spline interpolation of the control displacements; D is 0 outside the grid's valid region.
 */
export function elasticStep(width: number, height: number, displacements: ControlDisplacements): GeometricStep {
  const { meshSize, x: controlX, y: controlY } = displacements;
  const gridSize = meshSize + SPLINE_ORDER;
  if (controlX.length !== gridSize * gridSize || controlY.length !== gridSize * gridSize) {
    throw new RangeError(`a ${meshSize}×${meshSize} mesh needs ${gridSize * gridSize} displacements per axis`);
  }
  const spacingX = width / meshSize;
  const spacingY = height / meshSize;
  const originX = -0.5 - spacingX;
  const originY = -0.5 - spacingY;
  const validEnd = gridSize - 2;
  const weightsX = new Float64Array(4);
  const weightsY = new Float64Array(4);
  return {
    inputWidth: width,
    inputHeight: height,
    outputWidth: width,
    outputHeight: height,
    mapToInput(x, y) {
      for (let i = 0; i < x.length; i++) {
        const u = (x[i] - originX) / spacingX;
        const v = (y[i] - originY) / spacingY;
        if (!(u >= 1 && u < validEnd && v >= 1 && v < validEnd)) continue;
        const startX = cubicWeights(u, weightsX);
        const startY = cubicWeights(v, weightsY);
        let dx = 0;
        let dy = 0;
        for (let r = 0; r < 4; r++) {
          const row = (startY + r) * gridSize + startX;
          let rowX = 0;
          let rowY = 0;
          for (let c = 0; c < 4; c++) {
            rowX += weightsX[c] * controlX[row + c];
            rowY += weightsX[c] * controlY[row + c];
          }
          dx += weightsY[r] * rowX;
          dy += weightsY[r] * rowY;
        }
        x[i] += dx;
        y[i] += dy;
      }
    },
  };
}

/** Fills the four cubic B-spline weights at grid coordinate t; returns the first control index. */
function cubicWeights(t: number, weights: Float64Array): number {
  const base = Math.floor(t);
  const f = t - base;
  const f2 = f * f;
  const f3 = f2 * f;
  weights[0] = (1 - f) * (1 - f) * (1 - f) / 6;
  weights[1] = (3 * f3 - 6 * f2 + 4) / 6;
  weights[2] = (-3 * f3 + 3 * f2 + 3 * f + 1) / 6;
  weights[3] = f3 / 6;
  return base - 1;
}

/** A standard normal draw (Box–Muller) from a uniform [0, 1) source. */
function standardNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
