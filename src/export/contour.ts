// Nucleus outlines as polygons on pixel corners (QuPath's convention: pixel (x, y) covers the square
// [x, x+1] × [y, y+1]).
//
// Choice: crack following on pixel edges rather than Moore-neighbour tracing of pixel centres. The
// outline is then exact (it encloses exactly the nucleus's pixels), closed and made of axis-parallel
// edges. Holes are filled first, so only outer rings are produced. To keep every ring simple (no vertex
// visited twice, which GEOS/JTS reject as a self-intersection), the outline is split where the
// filled nucleus is joined only through a pixel corner: at such a corner each ring turns to keep
// hugging its own pixel, so a nucleus whose pieces touch diagonally becomes several rings that
// meet at single points, a valid GeoJSON MultiPolygon. Filling holes with 4-connected background
// guarantees that the two pixels meeting at such a corner never belong to the same ring.
import { createRaster, type Mask } from '../image/raster.js';
import type { ObjectMask } from './object-mask.js';

export type Position = [number, number];
/**
 * A closed ring: first position repeated last; counter-clockwise in (x, y) coordinates as RFC 7946
 * asks (positive shoelace area), which looks clockwise on screen, where y points down.
 */
export type Ring = Position[];
/** One outer ring per 4-connected piece of the hole-filled nucleus; usually exactly one. */
export type Outline = Ring[];

// Directions in image coordinates (y down), in the order each pixel's own edges are walked.
const STEPS: readonly Position[] = [[1, 0], [0, 1], [-1, 0], [0, -1]];
const EAST = 0;

/** The nucleus outline in image pixel-corner coordinates. */
export function traceOutline({ mask, left, top }: ObjectMask): Outline {
  const filled = fillHoles(mask);
  const stride = mask.width + 1;
  const outgoing = boundaryEdges(filled);
  const rings: Outline = [];
  for (let start = 0; start < outgoing.length; start++) {
    // Every ring has a topmost edge, walked east; the first such edge in raster order starts at a corner.
    if (!(outgoing[start] & (1 << EAST))) continue;
    const ring: Ring = [];
    let vertex = start;
    let direction = EAST;
    do {
      const x = vertex % stride;
      const y = (vertex - x) / stride;
      const next = vertex === start && ring.length === 0 ? EAST : nextDirection(outgoing[vertex], direction);
      if (next !== direction || ring.length === 0) ring.push([left + x, top + y]);
      outgoing[vertex] &= ~(1 << next);
      direction = next;
      vertex += STEPS[direction][0] + STEPS[direction][1] * stride;
    } while (vertex !== start);
    ring.push([...ring[0]]);
    rings.push(ring);
  }
  return rings;
}

// Where two boundary edges leave a corner, turning towards the pixel already being followed comes
// first (then straight on, then the other turn): the 4-connected reading of the object.
const TURNS_IN_ORDER = [1, 0, 3] as const;

function nextDirection(edges: number, direction: number): number {
  for (const turn of TURNS_IN_ORDER) {
    const candidate = (direction + turn) % 4;
    if (edges & (1 << candidate)) return candidate;
  }
  throw new Error('internal error: an outline ended at a dead end');
}

// For every pixel corner (a (width+1) × (height+1) grid), a bit per direction in which a boundary
// edge leaves it, oriented so that the object lies to the right in image coordinates (y down).
function boundaryEdges({ width, height, data }: Mask): Uint8Array {
  const stride = width + 1;
  const edges = new Uint8Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!data[i]) continue;
      const corner = y * stride + x;
      if (!data[i - width]) edges[corner] |= 1 << 0;
      if (!data[i + 1]) edges[corner + 1] |= 1 << 1;
      if (!data[i + width]) edges[corner + stride + 1] |= 1 << 2;
      if (!data[i - 1]) edges[corner + stride] |= 1 << 3;
    }
  }
  return edges;
}

// The object plus every background pixel that cannot reach the mask's (empty) margin in 4-steps.
function fillHoles({ width, height, data }: Mask): Mask {
  const filled = new Uint8Array(data.length).fill(1);
  const stack = [0];
  filled[0] = 0;
  const visit = (j: number): void => {
    if (filled[j] && !data[j]) {
      filled[j] = 0;
      stack.push(j);
    }
  };
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const x = i % width;
    if (x > 0) visit(i - 1);
    if (x < width - 1) visit(i + 1);
    if (i >= width) visit(i - width);
    if (i < data.length - width) visit(i + width);
  }
  return createRaster(filled, width, height);
}
