// The slide's tiles, in model-view pixels: inner areas of `size` that partition the region exactly,
// each read with `margin` pixels of context on every side (clipped to the slide). A nucleus belongs to
// the tile whose inner area holds its centroid (stitching.ts); a margin at least as wide as the
// largest nucleus means that tile sees it whole.
import type { Rect } from './model-view.js';

export interface SlideTile {
  /** Position in the row-major order of the region's tiles (skipped tiles included). */
  readonly index: number;
  /** The area whose nuclei this tile reports. */
  readonly inner: Rect;
  /** The area read and inferred: inner plus the margin, within the view. */
  readonly read: Rect;
}

export interface TileGridOptions {
  /** The view's size. */
  readonly width: number;
  readonly height: number;
  /** The part of the view to cover. */
  readonly region: Rect;
  readonly size: number;
  readonly margin: number;
}

export function planSlideTiles({ width, height, region, size, margin }: TileGridOptions): SlideTile[] {
  if (!(Number.isInteger(size) && size > 0 && Number.isInteger(margin) && margin >= 0)) {
    throw new RangeError(`invalid slide tiling: tile ${size}, margin ${margin} (positive and non-negative integers)`);
  }
  const tiles: SlideTile[] = [];
  for (let y = region.y; y < region.y + region.height; y += size) {
    for (let x = region.x; x < region.x + region.width; x += size) {
      const inner = { x, y, width: Math.min(size, region.x + region.width - x), height: Math.min(size, region.y + region.height - y) };
      const x0 = Math.max(0, x - margin);
      const y0 = Math.max(0, y - margin);
      const x1 = Math.min(width, inner.x + inner.width + margin);
      const y1 = Math.min(height, inner.y + inner.height + margin);
      tiles.push({ index: tiles.length, inner, read: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } });
    }
  }
  return tiles;
}
