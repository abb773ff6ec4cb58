// Where the sliding window puts its tiles (REFERENCE_SPEC §10.2): tiles of `size` every
// size − overlap pixels after padding the bottom/right edge, each donating its centre and dropping
// overlap/2 pixels on every side that touches another tile, so the kept regions tile the image
// exactly.

export interface AxisPlan {
  /** The padded length: every tile lies inside it. */
  padded: number;
  /** Tile starts. */
  starts: number[];
  /** [from, to) of the padded axis that each tile writes. */
  kept: [number, number][];
}

/**
 * The tile plan along one axis of length `length`. As the reference: when length > size it pads to
 * size + k·stride with k ≥ 1 (a whole extra stride when (length − size) is a multiple of it, §13.18);
 * a length ≤ size is padded to exactly one tile.
 */
export function planAxis(length: number, size: number, overlap: number): AxisPlan {
  if (!(Number.isInteger(size) && size > 0 && Number.isInteger(overlap) && overlap >= 0 && overlap < size && overlap % 2 === 0)) {
    throw new RangeError(`invalid tiling: tile ${size}, overlap ${overlap} (the overlap must be even and smaller than the tile)`);
  }
  const stride = size - overlap;
  const padded = length > size ? length + stride - ((length - size) % stride) : size;
  const margin = overlap / 2;
  const starts: number[] = [];
  for (let start = 0; start < padded - overlap; start += stride) starts.push(start);
  const kept = starts.map((start): [number, number] => [
    start > 0 ? start + margin : 0,
    start + size < padded ? start + size - margin : padded,
  ]);
  return { padded, starts, kept };
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
  tiles: Tile[];
}

/** The tiles covering a height × width image, row-major. */
export function planTiles(height: number, width: number, size: number, overlap: number): TilePlan {
  const rows = planAxis(height, size, overlap);
  const cols = planAxis(width, size, overlap);
  const tiles: Tile[] = [];
  rows.starts.forEach((y, i) => {
    cols.starts.forEach((x, j) => {
      const [y0, y1] = rows.kept[i]!;
      const [x0, x1] = cols.kept[j]!;
      tiles.push({ y, x, keep: { y0, y1, x0, x1 } });
    });
  });
  return { paddedHeight: rows.padded, paddedWidth: cols.padded, tiles };
}
