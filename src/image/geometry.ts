// Geometric transforms as sampling fields. A chain of steps (resize, pad, crop, flips, affine,
// rotation, elastic) is composed into one field that tells each output pixel where to sample the
// source image, so an augmented sample is interpolated once (src/image/sampling.ts does that).
//
// Coordinates: x is the column, y the row, pixel centres at integers. An image of W×H pixels covers
// [−0.5, W − 0.5] × [−0.5, H − 0.5] (each pixel its unit square, as in ITK and Pillow); a point
// outside that extent at any step of the chain is outside the field.
import { elasticStep, type ControlDisplacements } from './elastic.js';

/** For each output pixel (raster order) the source coordinates it samples; NaN where outside. */
export interface SamplingField {
  readonly width: number;
  readonly height: number;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** One geometric step: reads an input image, produces an output image. */
export interface GeometricStep {
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly outputWidth: number;
  readonly outputHeight: number;
  /**
   * Replaces output coordinates, in place, with the input coordinates they sample: NaN where those
   * fall outside the input's extent (NaN stays NaN).
   */
  mapToInput(x: Float64Array, y: Float64Array): void;
}

/** The field of steps applied in order (steps[0] reads the source image). */
export function composeField(steps: readonly GeometricStep[]): SamplingField {
  if (steps.length === 0) throw new RangeError('a sampling field needs at least one step');
  steps.forEach((step, k) => {
    const previous = steps[k - 1];
    if (previous && (previous.outputWidth !== step.inputWidth || previous.outputHeight !== step.inputHeight)) {
      throw new RangeError(`step ${k} reads ${step.inputWidth}×${step.inputHeight} but step ${k - 1} makes ${previous.outputWidth}×${previous.outputHeight}`);
    }
  });
  const last = steps[steps.length - 1];
  const width = last.outputWidth;
  const height = last.outputHeight;
  const x = new Float64Array(width * height);
  const y = new Float64Array(width * height);
  for (let row = 0, i = 0; row < height; row++) {
    for (let col = 0; col < width; col++, i++) {
      x[i] = col;
      y[i] = row;
    }
  }
  for (let k = steps.length - 1; k >= 0; k--) steps[k].mapToInput(x, y);
  return { width, height, sourceWidth: steps[0].inputWidth, sourceHeight: steps[0].inputHeight, x, y };
}

/** Scales the image to outputWidth×outputHeight, pixel extents aligned (as Pillow's resize). */
export function resizeStep(inputWidth: number, inputHeight: number, outputWidth: number, outputHeight: number): GeometricStep {
  const scaleX = inputWidth / outputWidth;
  const scaleY = inputHeight / outputHeight;
  return linearStep(inputWidth, inputHeight, outputWidth, outputHeight, [scaleX, 0, 0.5 * scaleX - 0.5, 0, scaleY, 0.5 * scaleY - 0.5]);
}

/**
 * Output pixel (x, y) shows input pixel (x + left, y + top): a crop for non-negative offsets, padding
 * (outside the field) for negative ones.
 */
export function offsetStep(inputWidth: number, inputHeight: number, outputWidth: number, outputHeight: number, left: number, top: number): GeometricStep {
  return linearStep(inputWidth, inputHeight, outputWidth, outputHeight, [1, 0, left, 0, 1, top]);
}

/** Mirrors left–right (horizontal) or top–bottom. */
export function flipStep(width: number, height: number, horizontal: boolean): GeometricStep {
  const matrix: AffineMatrix = horizontal ? [-1, 0, width - 1, 0, 1, 0] : [1, 0, 0, 0, -1, height - 1];
  return linearStep(width, height, width, height, matrix);
}

/**
 * The affine map about the image centre that Pillow's transform applies with centred translation
 * (REFERENCE_SPEC §6 step 4): output offset (dx, dy) from the centre samples the input at offset
 * (a·dx + b·dy, d·dx + e·dy).
 */
export function centredAffineStep(width: number, height: number, [a, b, d, e]: readonly [number, number, number, number]): GeometricStep {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  return linearStep(width, height, width, height, [a, b, cx - a * cx - b * cy, d, e, cy - d * cx - e * cy]);
}

/** Rotation by `degrees` counter-clockwise (as seen on screen) about the centre, same size (Pillow's rotate). */
export function rotationStep(width: number, height: number, degrees: number): GeometricStep {
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  return centredAffineStep(width, height, [cos, -sin, sin, cos]);
}

/** [a, b, c, d, e, f]: input x = a·x + b·y + c, input y = d·x + e·y + f. */
export type AffineMatrix = readonly [number, number, number, number, number, number];

function linearStep(inputWidth: number, inputHeight: number, outputWidth: number, outputHeight: number, [a, b, c, d, e, f]: AffineMatrix): GeometricStep {
  for (const size of [inputWidth, inputHeight, outputWidth, outputHeight]) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`image sizes must be positive integers, got ${size}`);
  }
  return {
    inputWidth,
    inputHeight,
    outputWidth,
    outputHeight,
    mapToInput(x, y) {
      const right = inputWidth - 0.5;
      const bottom = inputHeight - 0.5;
      for (let i = 0; i < x.length; i++) {
        const u = a * x[i] + b * y[i] + c;
        const v = d * x[i] + e * y[i] + f;
        const inside = u >= -0.5 && u <= right && v >= -0.5 && v <= bottom;
        x[i] = inside ? u : NaN;
        y[i] = inside ? v : NaN;
      }
    },
  };
}

/**
 * Builds a chain of steps from a source size, tracking the current image size:
 * `new TransformChain(250, 250).resize(300, 300).flip(true).rotate(30).crop(10, 20, 224, 224).field()`.
 */
export class TransformChain {
  readonly #steps: GeometricStep[] = [];
  #width: number;
  #height: number;

  constructor(sourceWidth: number, sourceHeight: number) {
    this.#width = sourceWidth;
    this.#height = sourceHeight;
  }

  get width(): number {
    return this.#width;
  }

  get height(): number {
    return this.#height;
  }

  /** Appends a step that reads an image of the current size. */
  then(step: GeometricStep): this {
    if (step.inputWidth !== this.#width || step.inputHeight !== this.#height) {
      throw new RangeError(`step reads ${step.inputWidth}×${step.inputHeight}, the chain is at ${this.#width}×${this.#height}`);
    }
    this.#steps.push(step);
    this.#width = step.outputWidth;
    this.#height = step.outputHeight;
    return this;
  }

  resize(width: number, height: number): this {
    return this.then(resizeStep(this.#width, this.#height, width, height));
  }

  /** Places the current image at (left, top) in a width×height canvas; the rest is outside. */
  pad(width: number, height: number, left: number, top: number): this {
    return this.then(offsetStep(this.#width, this.#height, width, height, -left, -top));
  }

  crop(left: number, top: number, width: number, height: number): this {
    return this.then(offsetStep(this.#width, this.#height, width, height, left, top));
  }

  flip(horizontal: boolean): this {
    return this.then(flipStep(this.#width, this.#height, horizontal));
  }

  affine(coefficients: readonly [number, number, number, number]): this {
    return this.then(centredAffineStep(this.#width, this.#height, coefficients));
  }

  rotate(degrees: number): this {
    return this.then(rotationStep(this.#width, this.#height, degrees));
  }

  elastic(displacements: ControlDisplacements): this {
    return this.then(elasticStep(this.#width, this.#height, displacements));
  }

  /** The composed field (a chain with no steps gives the identity). */
  field(): SamplingField {
    return composeField(this.#steps.length > 0 ? this.#steps : [offsetStep(this.#width, this.#height, this.#width, this.#height, 0, 0)]);
  }
}
