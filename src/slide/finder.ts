// What the slide machinery needs of a model: the scale it was trained at and nuclei from an RGB
// image. A checkpoint gives one through the Predictor; tests and benchmarks can bring their own.
import { statSync } from 'node:fs';
import type { Raster } from '../image/raster.js';
import type { ClassifiedNuclei } from '../infer/postprocess.js';
import { Predictor, type PredictorOptions } from '../infer/predictor.js';

export interface NucleusFinder {
  /** µm per pixel of the images the model was trained on. */
  readonly mpp: number;
  /** Names the model and its settings; a run resumes only with the same identity. */
  readonly identity: string;
  predict(image: Raster<Uint8Array>, source: string): ClassifiedNuclei;
  dispose(): void;
}

/** A model as a serialisable description: its checkpoint and the inference settings. */
export interface ModelSpec {
  readonly checkpoint: string;
  readonly options: PredictorOptions;
}

export function openFinder({ checkpoint, options }: ModelSpec): NucleusFinder {
  const predictor = new Predictor(checkpoint, options);
  const { size, mtimeMs } = statSync(checkpoint);
  return {
    mpp: predictor.header.mpp,
    identity: JSON.stringify({ checkpoint, size, mtimeMs, options }),
    predict: (image, source) => predictor.predict(image, source),
    dispose: () => predictor.dispose(),
  };
}
