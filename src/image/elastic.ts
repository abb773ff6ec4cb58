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
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image sizes must be positive integers, got ${width}×${height}`);
  }
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
  const right = width - 0.5;
  const bottom = height - 0.5;
  return {
    inputWidth: width,
    inputHeight: height,
    outputWidth: width,
    outputHeight: height,
    mapToInput(x, y) {
      for (let i = 0; i < x.length; i++) {
        const u = (x[i] - originX) / spacingX;
        const v = (y[i] - originY) / spacingY;
        // Outside the grid's valid region (or NaN) there is no displacement, and the point is inside
        // the image exactly when it was before.
        if (!(u >= 1 && u < validEnd && v >= 1 && v < validEnd)) continue;
        // Cubic B-spline weights of the 4×4 control points around (u, v), written out (this loop is
        // the augmentation's hot spot).
        const cellX = Math.floor(u);
        const fx = u - cellX;
        const cellY = Math.floor(v);
        const fy = v - cellY;
        const wx0 = cubic0(fx);
        const wx1 = cubic1(fx);
        const wx2 = cubic1(1 - fx);
        const wx3 = cubic0(1 - fx);
        const wy0 = cubic0(fy);
        const wy1 = cubic1(fy);
        const wy2 = cubic1(1 - fy);
        const wy3 = cubic0(1 - fy);
        const k0 = (cellY - 1) * gridSize + cellX - 1;
        const k1 = k0 + gridSize;
        const k2 = k1 + gridSize;
        const k3 = k2 + gridSize;
        const dx =
          wy0 * dot4(controlX, k0, wx0, wx1, wx2, wx3) + wy1 * dot4(controlX, k1, wx0, wx1, wx2, wx3) +
          wy2 * dot4(controlX, k2, wx0, wx1, wx2, wx3) + wy3 * dot4(controlX, k3, wx0, wx1, wx2, wx3);
        const dy =
          wy0 * dot4(controlY, k0, wx0, wx1, wx2, wx3) + wy1 * dot4(controlY, k1, wx0, wx1, wx2, wx3) +
          wy2 * dot4(controlY, k2, wx0, wx1, wx2, wx3) + wy3 * dot4(controlY, k3, wx0, wx1, wx2, wx3);
        const sx = x[i] + dx;
        const sy = y[i] + dy;
        const inside = sx >= -0.5 && sx <= right && sy >= -0.5 && sy <= bottom;
        x[i] = inside ? sx : NaN;
        y[i] = inside ? sy : NaN;
      }
    },
  };
}

// The cubic B-spline's weights at fraction f of a cell: the first point (1 − f)³/6, the second
// (3f³ − 6f² + 4)/6; the third and fourth are the second and first at 1 − f.
function cubic0(f: number): number {
  return ((1 - f) * (1 - f) * (1 - f)) / 6;
}

function cubic1(f: number): number {
  return (3 * f * f * f - 6 * f * f + 4) / 6;
}

function dot4(values: Float64Array, k: number, w0: number, w1: number, w2: number, w3: number): number {
  return w0 * values[k] + w1 * values[k + 1] + w2 * values[k + 2] + w3 * values[k + 3];
}

/** A standard normal draw (Box–Muller) from a uniform [0, 1) source. */
function standardNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
