// A deterministic nucleus finder for tests and benchmarks of the slide machinery, where no trained
// model exists, and the images it reads: H&E images with their ground-truth nuclei painted in
// (interiors in a pure class colour, boundaries in yellow). The finder is a fixed-weight per-pixel
// network that recognises exactly those colours, run through the real sliding window and
// post-processing; so it finds the real nuclei of the ground truth (sizes, shapes, crowding) wherever
// they are, and any difference between processing a slide in tiles and an image whole comes from the
// slide machinery, not from the model.
import type { InputNormalisation } from '../data/normalisation.js';
import { F, noGrad, scope, tensor, type Layer, type Tensor } from '../engine/index.js';
import { classOfId } from '../image/labels.js';
import { findBoundaries } from '../image/morphology.js';
import { createRaster, type LabelMap, type Raster } from '../image/raster.js';
import { imageTensor } from '../infer/input.js';
import { postprocess, type ClassifiedNuclei } from '../infer/postprocess.js';
import { slidingWindowProbabilities, type SlidingWindowOptions } from '../infer/sliding-window.js';
import type { NucleusFinder } from './finder.js';

/** Paint colours: tumor, lymphocyte and stroma interiors, and nucleus boundaries. */
const PAINT: readonly (readonly [number, number, number])[] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]];

/** The image with every nucleus of the label map (paper encoding) painted in. */
export function paintNuclei(image: Raster<Uint8Array>, labels: LabelMap): Raster<Uint8Array> {
  // 8-connected boundaries, so that the interiors of touching nuclei never touch, even diagonally.
  const boundary = findBoundaries(labels, 'inner', 8).data;
  const out = new Uint8Array(labels.width * labels.height * 3);
  for (let p = 0; p < labels.data.length; p++) {
    const id = labels.data[p];
    const colour = id === 0 ? null : PAINT[boundary[p] ? 3 : classOfId(id)];
    for (let c = 0; c < 3; c++) out[3 * p + c] = colour === null ? image.data[p * image.channels + c] : colour[c];
  }
  return createRaster(out, labels.width, labels.height, 3);
}

// Features max(0, s − 0.5) with s = r−g−b (red), g−r−b (green), b−r−g (blue), r+g−b−1 (yellow), on RGB in
// 0..1: 0.5 for the pure paint colour, 0 for any stained tissue; then one logit per output class
// (background, tumor, lymphocyte, stroma, contour).
const FEATURE_WEIGHTS = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1], [1, 1, -1]];
const FEATURE_BIASES = [-0.5, -0.5, -0.5, -1.5];
const CLASS_WEIGHTS = [[0, 0, 0, 0], [20, 0, 0, 0], [0, 20, 0, 0], [0, 0, 20, 0], [0, 0, 0, 20]];
const CLASS_BIASES = [0, -5, -5, -5, -5];
const UNIT_RANGE: InputNormalisation = { mean: [0, 0, 0], std: [1, 1, 1] };

class PaintNetwork implements Layer {
  forward(x: Tensor): Tensor {
    return scope(() => {
      const features = F.relu(F.conv2d(x, tensor(FEATURE_WEIGHTS.flat(), [4, 3, 1, 1]), tensor(FEATURE_BIASES, [4])));
      return F.conv2d(features, tensor(CLASS_WEIGHTS.flat(), [5, 4, 1, 1]), tensor(CLASS_BIASES, [5]));
    });
  }
}

export class StandInFinder implements NucleusFinder {
  readonly identity: string;
  readonly #network = new PaintNetwork();

  constructor(
    readonly mpp = 0.25,
    readonly options: SlidingWindowOptions = {},
  ) {
    this.identity = JSON.stringify({ standIn: 'painted-nuclei', mpp, options });
  }

  predict(image: Raster<Uint8Array>): ClassifiedNuclei {
    return noGrad(() => scope(() => postprocess(slidingWindowProbabilities(this.#network, imageTensor(image, UNIT_RANGE), this.options))));
  }

  dispose(): void {}
}
