// regionprops' area_convex (skimage 0.19 convex_hull_image): every pixel is represented by the
// midpoints of its four edges, the convex hull of those points is taken, and the pixels whose centres
// lie inside or on the hull are counted. Coordinates are doubled so that every midpoint is an integer
// point and all arithmetic is exact.
import type { Mask } from '../image/raster.js';

type Point = readonly [number, number];

/** The number of pixels of the object's convex hull image. */
export function convexArea(mask: Mask): number {
  const hull = convexHull(edgeMidpoints(mask));
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [, y] of hull) {
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  let area = 0;
  for (let row = Math.ceil(minY / 2); 2 * row <= maxY; row++) {
    const [left, right] = spanAt(hull, 2 * row);
    area += Math.max(0, Math.floor(right / 2) - Math.ceil(left / 2) + 1);
  }
  return area;
}

// Only the first and last pixel of each row can contribute hull points.
function edgeMidpoints({ width, height, data }: Mask): Point[] {
  const points: Point[] = [];
  for (let y = 0; y < height; y++) {
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (!data[y * width + x]) continue;
      if (first < 0) first = x;
      last = x;
    }
    if (first < 0) continue;
    for (const x of first === last ? [first] : [first, last]) {
      points.push([2 * x - 1, 2 * y], [2 * x + 1, 2 * y], [2 * x, 2 * y - 1], [2 * x, 2 * y + 1]);
    }
  }
  return points;
}

// Andrew's monotone chain; collinear points are dropped. Vertices in counter-clockwise order.
function convexHull(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const chain = (ordered: Point[]): Point[] => {
    const out: Point[] = [];
    for (const p of ordered) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...chain(sorted), ...chain(sorted.reverse())];
}

// The interval [left, right] where the horizontal line at height y crosses the hull.
function spanAt(hull: Point[], y: number): [number, number] {
  let left = Infinity;
  let right = -Infinity;
  for (let k = 0; k < hull.length; k++) {
    const [x0, y0] = hull[k];
    const [x1, y1] = hull[(k + 1) % hull.length];
    if (y < Math.min(y0, y1) || y > Math.max(y0, y1)) continue;
    const crossings = y0 === y1 ? [x0, x1] : [x0 + ((y - y0) * (x1 - x0)) / (y1 - y0)];
    for (const x of crossings) {
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  return [left, right];
}
