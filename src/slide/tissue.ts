// Where the tissue is, from a low-resolution image of the slide: the colour saturation of cells of
// about TISSUE_CELL_MICRONS, thresholded by Otsu's method (kept within bounds so that a slide that is
// all tissue, or all glass, is not split in two), small holes filled, specks dropped, and the result
// grown by one cell so that tissue edges are not lost. Tiles without tissue are skipped.
import { removeSmallObjects } from '../image/labels.js';
import { binaryDilate, SQUARE } from '../image/morphology.js';
import { createRaster, type Mask } from '../image/raster.js';
import type { Rect } from './model-view.js';
import type { Slide } from './slide-source.js';

/** Side of one tissue-mask cell, in µm. */
export const TISSUE_CELL_MICRONS = 8;
// Saturation of bare glass stays below the lower bound; stained tissue (even pale stroma) above the upper.
const THRESHOLD_BOUNDS: readonly [number, number] = [0.04, 0.12];
// Holes and specks smaller than these areas (µm²) are filled and dropped.
const HOLE_AREA = 100_000;
const SPECK_AREA = 2_000;
// Rows of the slide level read at once.
const BAND_PIXELS = 1 << 23;

export interface TissueMask {
  /** 1 where there is tissue. */
  readonly mask: Mask;
  /** Level-0 slide pixels per mask cell (along each axis). */
  readonly slidePerCell: number;
  /** The saturation threshold used. */
  readonly threshold: number;
}

export function detectTissue(slide: Slide): TissueMask {
  const wanted = TISSUE_CELL_MICRONS / slide.mpp;
  let level = 0;
  slide.levels.forEach((candidate, k) => {
    if (candidate.downsample <= wanted && candidate.downsample > slide.levels[level].downsample) level = k;
  });
  const { downsample } = slide.levels[level];
  const factor = Math.max(1, Math.round(wanted / downsample));
  const saturation = cellSaturation(slide, level, factor);
  const threshold = Math.min(Math.max(otsuThreshold(saturation.data), THRESHOLD_BOUNDS[0]), THRESHOLD_BOUNDS[1]);
  const slidePerCell = factor * downsample;
  const cellArea = (slidePerCell * slide.mpp) ** 2;
  let mask: Mask = createRaster(Uint8Array.from(saturation.data, (s) => (s > threshold ? 1 : 0)), saturation.width, saturation.height);
  mask = removeSmallObjects(mask, SPECK_AREA / cellArea, 8);
  mask = invert(removeSmallObjects(invert(mask), HOLE_AREA / cellArea, 4));
  mask = binaryDilate(mask, SQUARE);
  return { mask, slidePerCell, threshold };
}

/** Whether any tissue lies in a rectangle of level-0 slide pixels. */
export function hasTissue(tissue: TissueMask, rect: Rect): boolean {
  return tissueCells(tissue, rect) > 0;
}

/** The tissue area in a rectangle of level-0 slide pixels, in level-0 pixels (at cell resolution). */
export function tissueArea(tissue: TissueMask, rect: Rect): number {
  return tissueCells(tissue, rect) * tissue.slidePerCell ** 2;
}

function tissueCells({ mask, slidePerCell }: TissueMask, rect: Rect): number {
  const x0 = Math.max(0, Math.floor(rect.x / slidePerCell));
  const y0 = Math.max(0, Math.floor(rect.y / slidePerCell));
  const x1 = Math.min(mask.width, Math.ceil((rect.x + rect.width) / slidePerCell));
  const y1 = Math.min(mask.height, Math.ceil((rect.y + rect.height) / slidePerCell));
  let cells = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) cells += mask.data[y * mask.width + x];
  return cells;
}

// HSV saturation, (max − min) / max, of the mean colour of every factor × factor block of a level,
// read in bands of whole blocks.
function cellSaturation(slide: Slide, level: number, factor: number): { data: Float32Array; width: number; height: number } {
  const { width, height, downsample } = slide.levels[level];
  const cellsX = Math.ceil(width / factor);
  const cellsY = Math.ceil(height / factor);
  const out = new Float32Array(cellsX * cellsY);
  const bandCells = Math.max(1, Math.floor(BAND_PIXELS / (width * factor * factor)));
  const sums = new Float64Array(cellsX * 3);
  const counts = new Float64Array(cellsX);
  for (let cellY0 = 0; cellY0 < cellsY; cellY0 += bandCells) {
    const rows = Math.min(bandCells * factor, height - cellY0 * factor);
    const band = slide.readRegion(level, 0, Math.round(cellY0 * factor * downsample), width, rows);
    for (let row = 0; row < rows; row += factor) {
      sums.fill(0);
      counts.fill(0);
      for (let r = row; r < Math.min(row + factor, rows); r++) {
        for (let x = 0, p = r * width * 3; x < width; x++, p += 3) {
          const cell = Math.floor(x / factor);
          sums[3 * cell] += band.data[p];
          sums[3 * cell + 1] += band.data[p + 1];
          sums[3 * cell + 2] += band.data[p + 2];
          counts[cell]++;
        }
      }
      const cellY = cellY0 + row / factor;
      for (let cell = 0; cell < cellsX; cell++) {
        const r = sums[3 * cell], g = sums[3 * cell + 1], b = sums[3 * cell + 2];
        const max = Math.max(r, g, b);
        out[cellY * cellsX + cell] = max === 0 ? 0 : (max - Math.min(r, g, b)) / max;
      }
    }
  }
  return { data: out, width: cellsX, height: cellsY };
}

/** Otsu's threshold of values in [0, 1] over a 256-bin histogram (the upper edge of the lower class). */
export function otsuThreshold(values: Float32Array): number {
  const bins = 256;
  const histogram = new Float64Array(bins);
  for (const v of values) histogram[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]++;
  const total = values.length;
  let sumAll = 0;
  for (let i = 0; i < bins; i++) sumAll += i * histogram[i];
  let weightLow = 0;
  let sumLow = 0;
  let best = 0;
  let bestVariance = -1;
  for (let i = 0; i < bins - 1; i++) {
    weightLow += histogram[i];
    sumLow += i * histogram[i];
    const weightHigh = total - weightLow;
    if (weightLow === 0 || weightHigh === 0) continue;
    const difference = sumLow / weightLow - (sumAll - sumLow) / weightHigh;
    const variance = weightLow * weightHigh * difference * difference;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = i;
    }
  }
  return (best + 1) / bins;
}

function invert(mask: Mask): Mask {
  return createRaster(mask.data.map((v) => 1 - v), mask.width, mask.height);
}
