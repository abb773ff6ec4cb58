// Checkpoints: one safetensors file holding the model's weights and BatchNorm statistics (model.*),
// optionally the optimizer's moments (optimizer.*), and a JSON header (metadata key "histonuc") with
// everything needed to rebuild the model and resume training. Written atomically.
import { readSafetensors, writeSafetensors, type AdamStateDict, type Tensor } from '../engine/index.js';
import type { InputNormalisation } from '../data/normalisation.js';
import { createModel, isModelName, type ModelName, type ModelOptions, type SegmentationModel } from '../models/index.js';

export const OUTPUT_CLASSES = ['background', 'tumor', 'lymphocyte', 'stroma', 'contour'] as const;

export interface CheckpointHeader {
  format: 'histonuc-checkpoint';
  version: 1;
  model: ModelName;
  modelOptions: Record<string, unknown>;
  /** The input normalisation of REFERENCE_SPEC §4, from the training images. */
  normalisation: InputNormalisation;
  classes: readonly string[];
  /** Microns per pixel of the training images (the scale inference must match). */
  mpp: number;
  /** Anything else the writer records: training config, epoch, metrics, random-generator states… */
  [key: string]: unknown;
}

export interface Checkpoint {
  header: CheckpointHeader;
  modelState: Map<string, Tensor>;
  optimizerState: AdamStateDict | null;
}

const MODEL_PREFIX = 'model.';
const OPTIMIZER_PREFIX = 'optimizer.';

export function saveCheckpoint(
  path: string,
  contents: { header: CheckpointHeader; model: SegmentationModel; optimizer?: AdamStateDict; dtype?: 'float32' | 'float16' },
): void {
  const { header, model, optimizer, dtype = 'float32' } = contents;
  const entries: [string, Tensor][] = [];
  for (const [name, value] of model.stateDict()) {
    const floating = value.dtype === 'float32' || value.dtype === 'bfloat16' || value.dtype === 'float16';
    entries.push([MODEL_PREFIX + name, floating && value.dtype !== dtype ? value.to(dtype) : value]);
  }
  const optimizerSteps = optimizer === undefined ? undefined : optimizer.steps;
  if (optimizer !== undefined) for (const [name, value] of optimizer.tensors) entries.push([OPTIMIZER_PREFIX + name, value]);
  writeSafetensors(path, entries, { histonuc: JSON.stringify({ ...header, optimizerSteps }) });
}

export function loadCheckpoint(path: string): Checkpoint {
  const { tensors, metadata } = readSafetensors(path);
  const text = metadata.histonuc;
  if (text === undefined) {
    throw new Error(`'${path}' is a safetensors file but not a histonuc checkpoint (no "histonuc" header); ` +
      'to start from torchvision weights use --encoder-weights instead');
  }
  let parsed: CheckpointHeader & { optimizerSteps?: Record<string, number> };
  try {
    parsed = JSON.parse(text) as CheckpointHeader & { optimizerSteps?: Record<string, number> };
  } catch {
    throw new Error(`'${path}': the histonuc header is not valid JSON`);
  }
  if (parsed.format !== 'histonuc-checkpoint' || !isModelName(String(parsed.model))) {
    throw new Error(`'${path}': unsupported checkpoint (format ${String(parsed.format)}, model ${String(parsed.model)})`);
  }
  const { optimizerSteps, ...header } = parsed;
  const modelState = new Map<string, Tensor>();
  const optimizerTensors = new Map<string, Tensor>();
  for (const [name, value] of tensors) {
    if (name.startsWith(MODEL_PREFIX)) modelState.set(name.slice(MODEL_PREFIX.length), value);
    else if (name.startsWith(OPTIMIZER_PREFIX)) optimizerTensors.set(name.slice(OPTIMIZER_PREFIX.length), value);
  }
  const optimizerState = optimizerSteps === undefined ? null : { tensors: optimizerTensors, steps: optimizerSteps };
  return { header: header as CheckpointHeader, modelState, optimizerState };
}

/** Builds the checkpoint's network and loads its weights (converted to float32), in eval mode. */
export function modelFromCheckpoint(checkpoint: Checkpoint, path: string): SegmentationModel {
  const { model: name, modelOptions } = checkpoint.header;
  const model = createModel(name, modelOptions as ModelOptions[typeof name]);
  model.loadStateDict(checkpoint.modelState, { source: `checkpoint '${path}' (${name})` });
  return model.eval();
}
