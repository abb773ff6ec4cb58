// The settings of a training run: REFERENCE_SPEC §9's values by default, overridable from a JSON
// config file and from command-line flags (flags win). Validated before anything starts.
import { readFileSync } from 'node:fs';

import { defaultThreadCount, type DeviceName, type Precision } from '../engine/index.js';
import { isModelName, type ModelName } from '../models/index.js';
import { isLrSchedule, type LrSchedule } from './lr-schedule.js';

/** 'reference': the mean of the two pixel IoUs (§9); 'f1': object-level detection F1 (§11.1). */
export type Selection = 'reference' | 'f1';

export interface TrainConfig {
  data: string;
  out: string;
  /** A split file of its own ({train, val}); '' reads the dataset folder's split.json. */
  split: string;
  model: ModelName;
  /** Extra constructor options of the model (e.g. { "width": 64 } for the original U-Net). */
  modelOptions: Record<string, unknown>;
  epochs: number;
  batchSize: number;
  lr: number;
  /** 'constant' (the paper) or 'cosine' (annealed to 1 % of lr over all epochs). */
  lrSchedule: LrSchedule;
  betas: [number, number];
  weightDecay: number;
  /** β of the perceptual loss; 0 is the paper's "w.o. L_per". */
  perceptualWeight: number;
  /** 'random' (a fixed, seeded VGG16) or a torchvision vgg16 weights file. */
  vggWeights: string;
  /** 'none' (random initialisation) or a torchvision resnet34/vgg16 weights file for the encoder. */
  encoderWeights: string;
  device: DeviceName;
  precision: Precision;
  threads: number;
  workers: number;
  seed: number;
  selection: Selection;
  /** Side of the augmented training crops (§6: 224). Smaller crops make cheaper steps (the demo). */
  cropSize: number;
  /** Validation sliding window (§9: patch 224, overlap 80). */
  valTile: number;
  valOverlap: number;
  /** Also keep a copy of the checkpoint every this many epochs (§9: 30). */
  keepEvery: number;
  /** Microns per pixel of the training images, recorded in the checkpoint (CoNSeP: 0.25). */
  mpp: number;
}

export const DEFAULT_CONFIG: Omit<TrainConfig, 'data' | 'out'> = {
  split: '',
  model: 'resunet34',
  modelOptions: {},
  epochs: 300,
  batchSize: 8,
  lr: 1e-4,
  lrSchedule: 'constant',
  betas: [0.9, 0.99],
  weightDecay: 1e-4,
  perceptualWeight: 0.1,
  vggWeights: 'random',
  encoderWeights: 'none',
  device: 'cpu',
  precision: 'fp32',
  threads: defaultThreadCount(),
  workers: 1,
  seed: 1,
  selection: 'reference',
  cropSize: 224,
  valTile: 224,
  valOverlap: 80,
  keepEvery: 30,
  mpp: 0.25,
};

/** Reads a JSON config file: an object with any TrainConfig keys. */
export function readConfigFile(path: string): Partial<TrainConfig> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read config file '${path}': ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`config file '${path}' must hold a JSON object`);
  const unknown = Object.keys(parsed).filter((key) => !(key in DEFAULT_CONFIG) && key !== 'data' && key !== 'out');
  if (unknown.length > 0) throw new Error(`config file '${path}': unknown setting(s) ${unknown.join(', ')}`);
  return parsed as Partial<TrainConfig>;
}

/** Completes and checks a configuration; every problem is named. */
export function resolveConfig(partial: Partial<TrainConfig>): TrainConfig {
  const config = { ...DEFAULT_CONFIG, ...partial } as TrainConfig;
  const problems: string[] = [];
  const positiveInteger = (key: keyof TrainConfig): void => {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) problems.push(`${key} must be a positive integer, got ${String(value)}`);
  };
  if (typeof config.data !== 'string' || config.data === '') problems.push('data (the dataset folder) is required');
  if (typeof config.out !== 'string' || config.out === '') problems.push('out (the run folder) is required');
  if (!isModelName(String(config.model))) problems.push(`model must be resunet34, unet or fcn8s, got ${String(config.model)}`);
  for (const key of ['epochs', 'batchSize', 'threads', 'cropSize', 'valTile', 'keepEvery'] as const) positiveInteger(key);
  if (!(Number.isInteger(config.workers) && config.workers >= 0)) problems.push(`workers must be an integer ≥ 0, got ${config.workers}`);
  if (!(config.lr > 0)) problems.push(`lr must be positive, got ${config.lr}`);
  if (!isLrSchedule(String(config.lrSchedule))) problems.push(`lrSchedule must be constant or cosine, got ${String(config.lrSchedule)}`);
  if (!(config.weightDecay >= 0)) problems.push(`weightDecay must be ≥ 0, got ${config.weightDecay}`);
  if (!(config.perceptualWeight >= 0)) problems.push(`perceptualWeight must be ≥ 0, got ${config.perceptualWeight}`);
  if (!(Array.isArray(config.betas) && config.betas.length === 2 && config.betas.every((b) => b >= 0 && b < 1))) problems.push('betas must be two numbers in [0, 1)');
  if (config.precision !== 'fp32' && config.precision !== 'bf16') problems.push(`precision must be fp32 or bf16, got ${String(config.precision)}`);
  if (config.selection !== 'reference' && config.selection !== 'f1') problems.push(`selection must be reference or f1, got ${String(config.selection)}`);
  if (config.cropSize % 32 !== 0 || config.cropSize > 250) problems.push(`cropSize must be a multiple of 32 up to the 250-px patch, got ${config.cropSize}`);
  if (config.valTile % 32 !== 0) problems.push(`valTile must be a multiple of 32, got ${config.valTile}`);
  if (!(config.valOverlap >= 0 && config.valOverlap < config.valTile && config.valOverlap % 2 === 0)) problems.push(`valOverlap must be even and smaller than valTile, got ${config.valOverlap}`);
  if (!(config.mpp > 0)) problems.push(`mpp must be positive, got ${config.mpp}`);
  if (problems.length > 0) throw new Error(`invalid training configuration: ${problems.join('; ')}`);
  return config;
}
