// A trained model ready to find nuclei: loaded once from a checkpoint, applied to any number of
// RGB images of any size (tiled, padded at the bottom/right edge).
import type { InputNormalisation } from '../data/normalisation.js';
import { checkDevice, defaultPrecision, scope, type DeviceName, type Precision, type Tensor } from '../engine/index.js';
import type { SegmentationModel } from '../models/index.js';
import type { Raster } from '../image/raster.js';
import { loadCheckpoint, modelFromCheckpoint, type CheckpointHeader } from '../train/checkpoint.js';
import { imageTensor } from './input.js';
import { optimizeForInference, type InferenceModel } from './optimize.js';
import { postprocess, type ClassifiedNuclei, type PostprocessOptions } from './postprocess.js';
import { augmentedProbabilities, slidingWindowProbabilities, type SlidingWindowOptions } from './sliding-window.js';

/** Images smaller than this on either side hold too little context to find nuclei in. */
export const MIN_IMAGE_SIDE = 64;

export interface PredictorOptions extends SlidingWindowOptions, PostprocessOptions {
  device?: DeviceName;
  /** Average over the eight flips and rotations (8× the work). */
  tta?: boolean;
  /** Arithmetic of the forward pass (default: bf16 where the CPU has it in hardware, else fp32). */
  precision?: Precision;
}

export class Predictor {
  readonly header: CheckpointHeader;
  readonly precision: Precision;
  readonly #model: SegmentationModel;
  /** The network rebuilt for inference (src/infer/optimize.ts); what every prediction runs. */
  readonly #inference: InferenceModel;
  readonly #options: PredictorOptions;

  constructor(readonly checkpointPath: string, options: PredictorOptions = {}) {
    const device = options.device ?? 'cpu';
    checkDevice(device);
    const checkpoint = loadCheckpoint(checkpointPath);
    this.header = checkpoint.header;
    this.#model = modelFromCheckpoint(checkpoint, checkpointPath);
    if (device !== 'cpu') this.#model.to(device);
    for (const tensor of checkpoint.modelState.values()) tensor.dispose();
    this.precision = options.precision ?? defaultPrecision(device);
    this.#inference = optimizeForInference(this.#model.eval(), { precision: this.precision });
    this.#options = { ...options, device };
  }

  get normalisation(): InputNormalisation {
    return this.header.normalisation;
  }

  /** Every nucleus of an RGB image, classified; `source` names the image in error messages. */
  predict(image: Raster<Uint8Array>, source = 'image'): ClassifiedNuclei {
    return scope(() => postprocess(this.probabilities(image, source), this.#options));
  }

  /** The network's part of predict: per-class probabilities (C×H×W, float32, on the CPU) of an RGB image. */
  probabilities(image: Raster<Uint8Array>, source = 'image'): Tensor {
    if (image.channels !== 3) {
      throw new Error(`${source}: histonuc needs an RGB H&E image; this one has ${image.channels} channel(s)` +
        (image.channels === 4 ? ' (RGBA: flatten it onto white first)' : image.channels <= 2 ? ' (greyscale)' : ''));
    }
    if (image.width < MIN_IMAGE_SIDE || image.height < MIN_IMAGE_SIDE) {
      throw new Error(`${source}: ${image.width}×${image.height} is too small; images need at least ${MIN_IMAGE_SIDE} px on each side`);
    }
    return scope(() => {
      const input = imageTensor(image, this.normalisation);
      const onDevice = this.#options.device === 'cpu' ? input : input.to(this.#options.device!);
      const probabilities = this.#options.tta
        ? augmentedProbabilities(this.#inference, onDevice, this.#options)
        : slidingWindowProbabilities(this.#inference, onDevice, this.#options);
      return probabilities.to('cpu');
    });
  }

  dispose(): void {
    this.#inference.dispose();
    this.#model.dispose();
  }
}
