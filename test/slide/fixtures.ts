// What the slide tests share: CoNSeP images with their ground-truth nuclei painted in (so that the
// stand-in finder finds real nuclei), temporary folders, and the nuclei of an output CSV.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLabels, readRgb, writePng } from '../../src/image/io.js';
import { paintNuclei } from '../../src/slide/stand-in-finder.js';
import { consepDir } from '../support/env.js';

/** Sliding-window settings that keep the stand-in fast (it has no context to lose at tile borders). */
export const STAND_IN_WINDOW = { tile: 512, overlap: 32 } as const;

export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-slide-test-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The CoNSeP image `name`, as is. */
export function consepImage(name: string): string {
  return join(consepDir, 'images', `${name}.png`);
}

/** Writes the CoNSeP images `names` with their nuclei painted in to `dir`; returns their paths. */
export async function paintedConsep(names: readonly string[], dir: string): Promise<string[]> {
  return Promise.all(
    names.map(async (name) => {
      const painted = paintNuclei(await readRgb(consepImage(name)), await readLabels(join(consepDir, 'labels', `${name}_label.png`)));
      const path = join(dir, `${name}_painted.png`);
      await writePng(path, painted);
      return path;
    }),
  );
}

export interface CsvNucleus {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly area: number;
}

export function csvNuclei(path: string): CsvNucleus[] {
  const [header, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => line.split(','));
  const column = (name: string): number => header.indexOf(name);
  return rows.map((cells) => ({ id: Number(cells[column('id')]), x: Number(cells[column('centroid_x')]), y: Number(cells[column('centroid_y')]), area: Number(cells[column('area_px')]) }));
}
