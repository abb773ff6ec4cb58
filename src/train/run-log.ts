// The run's record: one JSON line per epoch (log.jsonl) and a PNG of the curves (curves.png), both
// in the run folder. The log is cut back to the checkpoint's epoch on resumption, so a run that was
// killed between logging and checkpointing never shows an epoch twice.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { writeFileAtomic } from '../util/atomic-file.js';
import { renderLineChartPng, type Series } from '../util/line-chart.js';
import type { ValidationScores } from './validation.js';

export const LOG_FILE = 'log.jsonl';
export const CURVES_FILE = 'curves.png';

export interface EpochRecord {
  epoch: number;
  seconds: number;
  train: { ce: number; perceptual: number };
  validation: ValidationScores | null;
  /** Whether this epoch became the best checkpoint. */
  best: boolean;
}

export function appendLog(runDir: string, record: EpochRecord): void {
  appendFileSync(join(runDir, LOG_FILE), `${JSON.stringify(record)}\n`);
}

/** The complete records of the log (a torn last line from a crash is ignored). */
export function readLog(runDir: string): EpochRecord[] {
  const path = join(runDir, LOG_FILE);
  if (!existsSync(path)) return [];
  const records: EpochRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as EpochRecord);
    } catch {
      break;
    }
  }
  return records;
}

/** Keeps the records of epochs 1..lastEpoch only. */
export function truncateLog(runDir: string, lastEpoch: number): void {
  const kept = readLog(runDir).filter((record) => record.epoch <= lastEpoch);
  writeFileAtomic(join(runDir, LOG_FILE), (write) => {
    for (const record of kept) write(`${JSON.stringify(record)}\n`);
  });
}

/** Draws two panels, losses and validation scores, against the epoch, and writes curves.png. */
export async function writeCurves(runDir: string, records: readonly EpochRecord[]): Promise<void> {
  const epochs = records.map((r) => r.epoch);
  const losses: Series[] = [
    { name: 'train CE', colour: '#1f77b4', values: records.map((r) => r.train.ce) },
    { name: 'train perceptual', colour: '#9467bd', values: records.map((r) => (r.train.perceptual > 0 ? r.train.perceptual : null)) },
    { name: 'val CE', colour: '#ff7f0e', values: records.map((r) => r.validation?.loss ?? null) },
  ];
  const scores: Series[] = [
    { name: 'val IoU', colour: '#2ca02c', values: records.map((r) => r.validation?.iou ?? null) },
    { name: 'val nuclei IoU', colour: '#17becf', values: records.map((r) => r.validation?.iouNuclei ?? null) },
    { name: 'val F1', colour: '#d62728', values: records.map((r) => r.validation?.f1 ?? null) },
    { name: 'val Dice', colour: '#8c564b', values: records.map((r) => r.validation?.dice ?? null) },
  ];
  const png = await renderLineChartPng([
    { title: 'loss', epochs, series: losses },
    { title: 'validation score', epochs, series: scores },
  ]);
  writeFileAtomic(join(runDir, CURVES_FILE), (write) => write(png));
}
