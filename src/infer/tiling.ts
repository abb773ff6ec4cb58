// Where the sliding window puts its tiles. Tiles of one size every size − overlap pixels after
// padding the bottom/right edge, each donating its centre and dropping overlap/2 pixels on every
// side that touches another tile, so the kept regions tile the image exactly. Two plans:
// - 'reference' (REFERENCE_SPEC §10.2): tiles of exactly the given size, the padding rule of the
//   reference code (§13.18 included);
// - 'fitted' (histonuc's default): the fewest tiles of at most the given size, each shrunk to the
//   smallest multiple of 32 that still covers the image. With large tiles it computes far fewer
//   pixels: a 1000-px side is one 1024-px tile (the reference plan with 224-px tiles computes 2.4×
//   the image's pixels; with 1024-px tiles and overlap 80 it would pad to three tiles).

export type Tiling = 'reference' | 'fitted';

export function isTiling(value: string): value is Tiling {
  return value === 'reference' || value === 'fitted';
}

/** Tile sides are multiples of this (ResUNet34 and FCN-8s downsample 32×). */
export const TILE_MULTIPLE = 32;

export interface AxisPlan {
  /** The tile length along this axis. */
  size: number;
  /** The padded length: every tile lies inside it. */
  padded: number;
  /** Tile starts. */
  starts: number[];
  /** [from, to) of the padded axis that each tile writes. */
  kept: [number, number][];
}

function checkTiling(size: number, overlap: number): void {
  if (!(Number.isInteger(size) && size > 0 && Number.isInteger(overlap) && overlap >= 0 && overlap < size && overlap % 2 === 0)) {
    throw new RangeError(`invalid tiling: tile ${size}, overlap ${overlap} (the overlap must be even and smaller than the tile)`);
  }
}

function axisPlan(size: number, overlap: number, padded: number): AxisPlan {
  const stride = size - overlap;
  const margin = overlap / 2;
  const starts: number[] = [];
  for (let start = 0; start < padded - overlap; start += stride) starts.push(start);
  const kept = starts.map((start): [number, number] => [
    start > 0 ? start + margin : 0,
    start + size < padded ? start + size - margin : padded,
  ]);
  return { size, padded, starts, kept };
}

/**
 * The reference plan along one axis of length `length`: when length > size it pads to
 * size + k·stride with k ≥ 1 (a whole extra stride when (length − size) is a multiple of it, §13.18);
 * a length ≤ size is padded to exactly one tile.
 */
export function planAxis(length: number, size: number, overlap: number): AxisPlan {
  checkTiling(size, overlap);
  const stride = size - overlap;
  return axisPlan(size, overlap, length > size ? length + stride - ((length - size) % stride) : size);
}

/** The fitted plan along one axis: the fewest tiles of at most `maxSize`, shrunk to fit (see above). */
export function fitAxis(length: number, maxSize: number, overlap: number): AxisPlan {
  checkTiling(maxSize, overlap);
  if (maxSize % TILE_MULTIPLE !== 0) throw new RangeError(`invalid tiling: tile ${maxSize} is not a multiple of ${TILE_MULTIPLE}`);
  const roundUp = (value: number): number => Math.ceil(value / TILE_MULTIPLE) * TILE_MULTIPLE;
  if (length <= maxSize) {
    const single = roundUp(Math.max(length, overlap + 1));
    return axisPlan(single, overlap, single);
  }
  const count = Math.ceil((length - overlap) / (maxSize - overlap));
  const size = roundUp(Math.ceil((length - overlap) / count) + overlap);
  return axisPlan(size, overlap, (count - 1) * (size - overlap) + size);
}

export interface Tile {
  /** Top-left corner of the tile in padded image coordinates. */
  y: number;
  x: number;
  /** The region [y0, y1) × [x0, x1) of the padded image this tile writes. */
  keep: { y0: number; y1: number; x0: number; x1: number };
}

export interface TilePlan {
  paddedHeight: number;
  paddedWidth: number;
  /** Every tile's height and width. */
  tileHeight: number;
  tileWidth: number;
  tiles: Tile[];
}

/** The tiles covering a height × width image, row-major. */
export function planTiles(height: number, width: number, size: number, overlap: number, tiling: Tiling = 'reference'): TilePlan {
  const plan = tiling === 'fitted' ? fitAxis : planAxis;
  const rows = plan(height, size, overlap);
  const cols = plan(width, size, overlap);
  const tiles: Tile[] = [];
  rows.starts.forEach((y, i) => {
    cols.starts.forEach((x, j) => {
      const [y0, y1] = rows.kept[i]!;
      const [x0, x1] = cols.kept[j]!;
      tiles.push({ y, x, keep: { y0, y1, x0, x1 } });
    });
  });
  return { paddedHeight: rows.padded, paddedWidth: cols.padded, tileHeight: rows.size, tileWidth: cols.size, tiles };
}
