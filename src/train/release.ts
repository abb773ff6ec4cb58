// Turns a training checkpoint into a model for users: float16 weights, no optimizer state, and a
// header that says how it was trained and how well it did (the evaluation of its validation images).
import { statSync } from 'node:fs';

import type { Summary } from '../eval/report.js';
import { NUCLEUS_CLASS_NAMES } from '../image/labels.js';
import { loadCheckpoint, modelFromCheckpoint, saveCheckpoint, type CheckpointHeader } from './checkpoint.js';
import type { TrainConfig } from './config.js';

/** What a released model records about its training. */
export interface ReleaseInfo {
  /** The training settings (the data folder and run folder as they were on the training machine). */
  config: TrainConfig;
  /** The epoch whose weights these are. */
  epoch: number;
  /** The trainer's own validation scores at that epoch (pixel IoUs of §9, object F1, Dice). */
  selectionScores: unknown;
  /** The headline metrics on the validation images, from `histonuc evaluate`. */
  validation: Record<string, number | null> | null;
  notes: string;
}

export interface ReleaseOptions {
  checkpoint: string;
  out: string;
  /** The summary of `histonuc evaluate` on the validation images predicted with this checkpoint. */
  evaluation?: Summary;
  notes?: string;
}

/** Writes the released model (atomically) and returns its size in bytes and what it records. */
export function releaseModel(options: ReleaseOptions): { bytes: number; release: ReleaseInfo } {
  const checkpoint = loadCheckpoint(options.checkpoint);
  const training = checkpoint.header.training as { config?: TrainConfig; epoch?: number } | undefined;
  if (training?.config === undefined) {
    throw new Error(`'${options.checkpoint}' holds no training record (already a released model?); release a run's best.safetensors or last.safetensors`);
  }
  const model = modelFromCheckpoint(checkpoint, options.checkpoint);
  const release: ReleaseInfo = {
    config: training.config,
    epoch: training.epoch ?? 0,
    selectionScores: checkpoint.header.validation ?? null,
    validation: options.evaluation ? headlineMetrics(options.evaluation) : null,
    notes: options.notes ?? '',
  };
  const { format, version, model: name, modelOptions, normalisation, classes, mpp } = checkpoint.header;
  const header: CheckpointHeader = { format, version, model: name, modelOptions, normalisation, classes, mpp, release };
  saveCheckpoint(options.out, { header, model, dtype: 'float16' });
  return { bytes: statSync(options.out).size, release };
}

/** The figures a user compares models by: the paper's F1/Dice/Hausdorff and the field's metrics. */
export function headlineMetrics(summary: Summary): Record<string, number | null> {
  const { table1, table2 } = summary.paper;
  const { imageMeans, mPQPlus, hovernet } = summary.standard;
  const metrics: Record<string, number | null> = {
    images: summary.images,
    f1: table1.all.f1,
    dice: table1.all.dice,
    hausdorff: table1.all.hausdorff,
    classificationAccuracy: table2.all,
    dice1: imageMeans.dice1,
    aji: imageMeans.aji,
    pq: imageMeans.pq,
    mPQPlus,
    fd: hovernet.fd,
    typeAccuracy: hovernet.accuracy,
  };
  for (const name of NUCLEUS_CLASS_NAMES) metrics[`fc_${name}`] = hovernet.fc[name];
  return metrics;
}
