// Whole slides for tests and benchmarks, made by the project (no slide can be downloaded here): a
// mosaic of same-sized H&E images (CoNSeP tiles) on white glass, optionally rescaled to another
// scanner scale, written by libvips as a pyramidal tiled TIFF that OpenSlide reads as generic-tiff.
// Cells may be empty glass, which makes large, mostly-background slides. libvips streams the whole
// build, so multi-gigapixel slides need little memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export interface TestSlideOptions {
  readonly path: string;
  /** Source image paths in row-major order; null for a cell of empty glass. */
  readonly cells: readonly (string | null)[];
  readonly columns: number;
  /** White pixels between cells and around the mosaic (at the sources' scale). */
  readonly gutter?: number;
  /** µm per pixel of the source images. */
  readonly sourceMpp?: number;
  /** Resize factor: 0.5 makes a "20×" copy of 0.25 µm/px sources. */
  readonly scale?: number;
  /** 'lzw' keeps pixels exact; 'jpeg' is what scanners write and keeps large slides small. */
  readonly compression?: 'lzw' | 'jpeg';
  /** Write the pixel size into the TIFF (default true); without it the slide states no scale. */
  readonly statesMpp?: boolean;
}

export interface Placement {
  readonly image: string;
  /** The (rescaled) image's rectangle in level-0 slide pixels. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface TestSlide {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  /** µm per level-0 pixel. */
  readonly mpp: number;
  readonly placements: readonly Placement[];
}

export async function writeTestSlide(options: TestSlideOptions): Promise<TestSlide> {
  const { path, cells, columns, gutter = 0, sourceMpp = 0.25, scale = 1, compression = 'lzw', statesMpp = true } = options;
  const sample = cells.find((cell): cell is string => cell !== null);
  if (sample === undefined) throw new RangeError('a test slide needs at least one image');
  const metadata = await sharp(sample).metadata();
  // Cells and gutters are rescaled first, so that every placement is a whole number of pixels.
  const cellWidth = Math.round((metadata.width ?? 0) * scale);
  const cellHeight = Math.round((metadata.height ?? 0) * scale);
  const shim = Math.round(gutter * scale);
  const rows = Math.ceil(cells.length / columns);
  // Every source is decoded once into an uncompressed libvips file, which the mosaic then references
  // as often as it likes at no memory cost.
  const scratch = mkdtempSync(join(tmpdir(), 'histonuc-test-slide-'));
  try {
    const decoded = new Map<string | null, string>();
    for (const cell of new Set([...cells, null])) {
      const file = join(scratch, `${decoded.size}.v`);
      const source = cell === null
        ? sharp({ create: { width: cellWidth, height: cellHeight, channels: 3, background: '#ffffff' } })
        : sharp(cell).removeAlpha().resize(cellWidth, cellHeight, { kernel: 'lanczos3' });
      await source.toFile(file);
      decoded.set(cell, file);
    }
    const grid = Array.from({ length: rows * columns }, (_, k) => decoded.get(cells[k] ?? null)!);
    const width = columns * cellWidth + (columns + 1) * shim;
    const height = rows * cellHeight + (rows + 1) * shim;
    const mpp = sourceMpp / scale;
    const resolution = statesMpp ? { xres: 1000 / mpp, yres: 1000 / mpp, resolutionUnit: 'cm' as const } : {};
    const mosaic = grid.length === 1 ? sharp(grid[0]) : sharp(grid, { join: { across: columns, shim, background: '#ffffff' }, limitInputPixels: false });
    await mosaic
      .extend({ top: shim, bottom: shim, left: shim, right: shim, background: '#ffffff' })
      .tiff({ tile: true, pyramid: true, tileWidth: 256, tileHeight: 256, compression, quality: 90, ...resolution })
      .toFile(path);
    const placements = cells.flatMap((cell, k): Placement[] => {
      if (cell === null) return [];
      const x = shim + (k % columns) * (cellWidth + shim);
      const y = shim + Math.floor(k / columns) * (cellHeight + shim);
      return [{ image: cell, x, y, width: cellWidth, height: cellHeight }];
    });
    return { path, width, height, mpp, placements };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
