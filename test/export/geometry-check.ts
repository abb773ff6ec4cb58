// An independent check of nucleus outlines, exact for polygons with integer, axis-parallel edges:
// every ring closed, counter-clockwise (RFC 7946), with perpendicular consecutive edges and no two
// other edges meeting (a simple ring); rings of one outline meeting at single points at most; and the
// pixels inside the rings exactly the nucleus with its holes filled.
import type { Outline, Ring } from '../../src/export/contour.js';
import { labelComponents, type RegionProps } from '../../src/image/labels.js';
import { createRaster, type LabelMap } from '../../src/image/raster.js';

type Segment = readonly [number, number, number, number];

function segments(ring: Ring): Segment[] {
  return ring.slice(1).map(([x, y], k): Segment => [ring[k][0], ring[k][1], x, y]);
}

function signedArea(ring: Ring): number {
  let sum = 0;
  for (const [x0, y0, x1, y1] of segments(ring)) sum += x0 * y1 - x1 * y0;
  return sum / 2;
}

// Closed axis-parallel segments: the number of points they share, capped at 2 (2 = a stretch).
function sharedPoints([ax0, ay0, ax1, ay1]: Segment, [bx0, by0, bx1, by1]: Segment): number {
  const left = Math.max(Math.min(ax0, ax1), Math.min(bx0, bx1));
  const right = Math.min(Math.max(ax0, ax1), Math.max(bx0, bx1));
  const low = Math.max(Math.min(ay0, ay1), Math.min(by0, by1));
  const high = Math.min(Math.max(ay0, ay1), Math.max(by0, by1));
  if (left > right || low > high) return 0;
  return left === right && low === high ? 1 : 2;
}

/** Problems with one ring, as sentences; none for a valid ring. */
export function ringProblems(ring: Ring): string[] {
  const problems: string[] = [];
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (ring.length < 5) problems.push(`only ${ring.length} positions`);
  if (first[0] !== last[0] || first[1] !== last[1]) problems.push('not closed');
  if (!(signedArea(ring) > 0)) problems.push(`signed area ${signedArea(ring)} is not positive`);
  const edges = segments(ring);
  edges.forEach(([x0, y0, x1, y1], k) => {
    if ((x0 === x1) === (y0 === y1)) problems.push(`edge ${k} is not axis-parallel or has no length`);
    const [nx0, , nx1] = edges[(k + 1) % edges.length];
    if ((x0 === x1) === (nx0 === nx1)) problems.push(`edges ${k} and ${k + 1} are not perpendicular`);
  });
  for (let a = 0; a < edges.length; a++) {
    for (let b = a + 2; b < edges.length; b++) {
      if (a === 0 && b === edges.length - 1) continue;
      if (sharedPoints(edges[a], edges[b]) > 0) problems.push(`edges ${a} and ${b} meet: the ring is not simple`);
    }
  }
  return problems;
}

function inside(ring: Ring, x: number, y: number): boolean {
  let crossings = 0;
  for (const [x0, y0, x1, y1] of segments(ring)) {
    if (y0 > y !== y1 > y && x0 + ((y - y0) * (x1 - x0)) / (y1 - y0) > x) crossings++;
  }
  return crossings % 2 === 1;
}

/** Problems with the outline of a nucleus (id and bbox as regionProps gives them); none for a correct outline. */
export function outlineProblems(outline: Outline, labels: LabelMap, { id, bbox }: RegionProps): string[] {
  const problems = outline.flatMap((ring, k) => ringProblems(ring).map((p) => `ring ${k}: ${p}`));
  for (let a = 0; a < outline.length; a++) {
    for (let b = a + 1; b < outline.length; b++) {
      for (const edgeA of segments(outline[a])) {
        for (const edgeB of segments(outline[b])) if (sharedPoints(edgeA, edgeB) > 1) problems.push(`rings ${a} and ${b} share an edge`);
      }
    }
  }
  // The filled nucleus: it and the background components (4-connected) that do not reach a margin
  // one pixel wide round its bounding box.
  const [top, left] = [bbox[0] - 1, bbox[1] - 1];
  const width = bbox[3] - bbox[1] + 2;
  const height = bbox[2] - bbox[0] + 2;
  const background = createRaster(new Uint8Array(width * height).fill(1), width, height);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) if (labels.data[(top + y) * labels.width + left + x] === id) background.data[y * width + x] = 0;
  }
  const components = labelComponents(background, 4).labels.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const filled = components[y * width + x] !== components[0];
      const rings = outline.filter((ring) => inside(ring, left + x + 0.5, top + y + 0.5)).length;
      if (rings !== (filled ? 1 : 0)) problems.push(`pixel (${left + x}, ${top + y}) ${filled ? 'of' : 'outside'} the filled nucleus lies in ${rings} ring(s)`);
    }
  }
  return problems;
}
