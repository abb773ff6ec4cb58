// The run's record: one JSON line per epoch (log.jsonl) and a PNG of the curves (curves.png), both
// in the run folder. The log is cut back to the checkpoint's epoch on resumption, so a run that was
// killed between logging and checkpointing never shows an epoch twice.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';

import { writeFileAtomic } from '../util/atomic-file.js';
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

interface Series {
  name: string;
  colour: string;
  values: (number | null)[];
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
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="400" font-family="sans-serif" font-size="12">
<rect width="960" height="400" fill="white"/>
${panel(epochs, losses, 'loss', 0)}
${panel(epochs, scores, 'validation score', 480)}
</svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  writeFileAtomic(join(runDir, CURVES_FILE), (write) => write(png));
}

function panel(epochs: readonly number[], series: readonly Series[], title: string, left: number): string {
  const x0 = left + 50;
  const x1 = left + 460;
  const y0 = 360;
  const y1 = 40;
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const low = Math.min(0, ...values);
  const high = Math.max(1e-9, ...values);
  const lastEpoch = Math.max(1, ...epochs);
  const px = (epoch: number): number => x0 + ((x1 - x0) * epoch) / lastEpoch;
  const py = (value: number): number => y0 - ((y0 - y1) * (value - low)) / (high - low);
  const lines = series.map((s, k) => {
    const points = s.values.flatMap((v, i) => (v === null ? [] : [`${px(epochs[i]!).toFixed(1)},${py(v).toFixed(1)}`]));
    return `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${points.join(' ')}"/>` +
      `<text x="${x0 + 8}" y="${y1 + 14 + 14 * k}" fill="${s.colour}">${s.name}</text>`;
  });
  return `<text x="${x0}" y="24" font-size="14">${title}</text>
<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="black"/><line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="black"/>
<text x="${x0 - 6}" y="${y0}" text-anchor="end">${low.toPrecision(3)}</text><text x="${x0 - 6}" y="${y1 + 10}" text-anchor="end">${high.toPrecision(3)}</text>
<text x="${x1}" y="${y0 + 16}" text-anchor="end">epoch ${lastEpoch}</text>
${lines.join('\n')}`;
}
