// Label maps for the export tests: hand-made shapes that stress outlines and morphometrics (single
// pixels, lines, holes, pieces joined only at a corner, disconnected pieces of one id), random blobs,
// and a map where every id is scattered over many touching pieces.
import { labelComponents } from '../../src/image/labels.js';
import { createRaster, type LabelMap } from '../../src/image/raster.js';
import { randomLevels, randomMask } from '../image/golden.js';

type Pixel = readonly [number, number];

/** Fills the pixels (x, y) with id. */
function paint(labels: LabelMap, id: number, pixels: Iterable<Pixel>): void {
  for (const [x, y] of pixels) labels.data[y * labels.width + x] = id;
}

function* rectangle(x0: number, y0: number, width: number, height: number): Generator<Pixel> {
  for (let y = y0; y < y0 + height; y++) for (let x = x0; x < x0 + width; x++) yield [x, y];
}

function* ellipse(cx: number, cy: number, a: number, b: number, angle: number): Generator<Pixel> {
  const r = Math.ceil(Math.max(a, b));
  for (let y = Math.floor(cy - r); y <= cy + r; y++) {
    for (let x = Math.floor(cx - r); x <= cx + r; x++) {
      const u = (x - cx) * Math.cos(angle) + (y - cy) * Math.sin(angle);
      const v = -(x - cx) * Math.sin(angle) + (y - cy) * Math.cos(angle);
      if ((u / a) ** 2 + (v / b) ** 2 <= 1) yield [x, y];
    }
  }
}

/** The hand-made shapes and, below them, random blobs (ids 30 and up). */
export function syntheticLabels(): LabelMap {
  const labels = createRaster(new Int32Array(64 * 72), 64, 72);
  paint(labels, 3, [[1, 1]]);
  paint(labels, 4, rectangle(4, 1, 6, 1));
  paint(labels, 5, [[12, 1], [13, 2], [14, 3], [14, 1]]); // three pieces meeting at corners
  paint(labels, 6, [...rectangle(17, 1, 7, 7)].filter(([x, y]) => !(x >= 19 && x <= 21 && y >= 3 && y <= 5))); // a ring
  paint(labels, 7, [...rectangle(26, 1, 5, 5)].filter(([x, y]) => !(x >= 27 && x <= 29 && y >= 2 && y <= 4) && !(x === 30 && y === 5))); // tips meet at a corner
  paint(labels, 8, [...rectangle(33, 1, 3, 3), ...rectangle(40, 4, 2, 2)]); // two separate pieces
  paint(labels, 9, ellipse(50, 7, 6, 6, 0));
  paint(labels, 10, ellipse(8, 16, 7, 3, 0.6));
  paint(labels, 11, rectangle(20, 12, 1, 8)); // vertical line
  paint(labels, 12, [...rectangle(24, 12, 6, 6)].filter(([x, y]) => x !== 26 || y === 17)); // a 4-connected piece with a slit
  paint(labels, 13, ellipse(40, 18, 8, 4, -0.3));
  paint(labels, 14, [[33, 12], [34, 13], [33, 14], [32, 13]]); // four pixels round an empty centre
  const blobs = labelComponents(randomMask(64, 40, 0.35, 7), 8).labels;
  for (let i = 0; i < blobs.data.length; i++) if (blobs.data[i] > 0) labels.data[32 * 64 + i] = 29 + blobs.data[i];
  return labels;
}

/** Ids 1..levels−1 scattered over many small touching pieces each. */
export function scatteredLabels(): LabelMap {
  return randomLevels(40, 40, 10, 11);
}
