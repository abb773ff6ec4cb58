// The paper's object-level Dice, IoU and Hausdorff (REFERENCE_SPEC §11.2, the GlaS definition):
// each side's objects weighted by area, every object scored against the object of the other side
// it overlaps most; an object overlapping nothing scores Dice = IoU = 0 and the Hausdorff distance
// to its nearest candidate (windows of half-side 50, 100, 200, 400 px around its centroid), or
// 1000 px when no window holds a candidate.
import { HausdorffMeter } from './hausdorff.js';
import { inGroup, type Group, type PixelObjects } from './objects.js';
import { largestOverlap, type Overlaps, type SparseRows } from './overlaps.js';
import type { ObjectLevelScores } from './report.js';

const FIRST_WINDOW_HALF_SIDE = 50;
const LAST_WINDOW_HALF_SIDE = 400;
const NO_CANDIDATE_DISTANCE = 1000;

/** Object-level scores of one image, any group; Hausdorff distances are shared between groups. */
export class ObjectLevel {
  private readonly distances = new Map<number, number>();
  private readonly meter: HausdorffMeter;

  constructor(
    private readonly pred: PixelObjects,
    private readonly gt: PixelObjects,
    private readonly overlaps: Overlaps,
  ) {
    this.meter = new HausdorffMeter(gt, pred);
  }

  scores(group: Group): ObjectLevelScores {
    const gtSide = this.side(this.gt, this.pred, this.overlaps.byGt, group);
    const predSide = this.side(this.pred, this.gt, this.overlaps.byPred, group);
    if (gtSide === null && predSide === null) return { dice: null, iou: null, hausdorff: null };
    const [gtDice, gtIou, gtHausdorff] = gtSide ?? [0, 0, 0];
    const [predDice, predIou, predHausdorff] = predSide ?? [0, 0, 0];
    return { dice: 0.5 * (gtDice + predDice), iou: 0.5 * (gtIou + predIou), hausdorff: 0.5 * (gtHausdorff + predHausdorff) };
  }

  /** Area-weighted [Dice, IoU, Hausdorff] sums over one side's objects; null if it has none. */
  private side(objects: PixelObjects, others: PixelObjects, rows: SparseRows, group: Group): [number, number, number] | null {
    let total = 0;
    for (let k = 0; k < objects.count; k++) if (inGroup(objects, k, group)) total += objects.area[k];
    if (total === 0) return null;
    let dice = 0;
    let iou = 0;
    let hausdorff = 0;
    for (let k = 0; k < objects.count; k++) {
      if (!inGroup(objects, k, group)) continue;
      const weight = objects.area[k] / total;
      const e = largestOverlap(rows, k, others, group);
      if (e < 0) {
        hausdorff += weight * this.nearestDistance(objects, k, others, group);
        continue;
      }
      const o = rows.partner[e];
      const shared = rows.count[e];
      const sum = objects.area[k] + others.area[o];
      dice += (weight * 2 * shared) / sum;
      iou += (weight * shared) / (sum - shared);
      hausdorff += weight * this.distance(objects, k, others, o);
    }
    return [dice, iou, hausdorff];
  }

  /** Hausdorff distance between object k of `objects` and object o of `others`, cached. */
  private distance(objects: PixelObjects, k: number, others: PixelObjects, o: number): number {
    const [g, p] = objects === this.gt ? [k, o] : [o, k];
    const key = g * this.pred.count + p;
    let distance = this.distances.get(key);
    if (distance === undefined) {
      distance = this.meter.distance(g, p);
      this.distances.set(key, distance);
    }
    return distance;
  }

  /** REFERENCE_SPEC §11.2 find_candidates and H_nearest for an object that overlaps nothing. */
  private nearestDistance(objects: PixelObjects, k: number, others: PixelObjects, group: Group): number {
    // The centre of mass truncated to integers, as the reference does.
    const row = Math.floor(objects.centroidRow[k]);
    const col = Math.floor(objects.centroidCol[k]);
    for (let half = FIRST_WINDOW_HALF_SIDE; half <= LAST_WINDOW_HALF_SIDE; half *= 2) {
      const window: Box = {
        top: Math.max(row - half, 0),
        bottom: Math.min(row + half, objects.height) - 1,
        left: Math.max(col - half, 0),
        right: Math.min(col + half, objects.width) - 1,
      };
      const candidates: number[] = [];
      for (let o = 0; o < others.count; o++) if (inGroup(others, o, group) && hasPixelIn(others, o, window)) candidates.push(o);
      if (candidates.length > 0) return this.smallestDistance(objects, k, others, candidates);
    }
    return NO_CANDIDATE_DISTANCE;
  }

  /**
   * The minimum Hausdorff distance to the candidates. Candidates are tried in order of a lower
   * bound on their distance, and the search stops once the bound reaches the best distance found,
   * so the minimum is exact without measuring every candidate.
   */
  private smallestDistance(objects: PixelObjects, k: number, others: PixelObjects, candidates: number[]): number {
    const bounds = candidates.map((o) => ({ o, bound: hausdorffLowerBound(objects, k, others, o) }));
    bounds.sort((a, b) => a.bound - b.bound);
    let best = Infinity;
    for (const { o, bound } of bounds) {
      if (bound >= best) break;
      best = Math.min(best, this.distance(objects, k, others, o));
    }
    return best;
  }
}

interface Box {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

function hasPixelIn(objects: PixelObjects, k: number, box: Box): boolean {
  if (objects.bottom[k] < box.top || objects.top[k] > box.bottom || objects.right[k] < box.left || objects.left[k] > box.right) return false;
  if (objects.top[k] >= box.top && objects.bottom[k] <= box.bottom && objects.left[k] >= box.left && objects.right[k] <= box.right) return true;
  for (let at = objects.pixelStart[k]; at < objects.pixelStart[k + 1]; at++) {
    const row = objects.pixelRow[at];
    const col = objects.pixelCol[at];
    if (row >= box.top && row <= box.bottom && col >= box.left && col <= box.right) return true;
  }
  return false;
}

/**
 * A lower bound on the Hausdorff distance, exact in floating point: no pixel of one object is
 * nearer the other than the other's bounding box is.
 */
function hausdorffLowerBound(a: PixelObjects, i: number, b: PixelObjects, j: number): number {
  return Math.sqrt(Math.max(farthestFromBox(a, i, b, j), farthestFromBox(b, j, a, i)));
}

/** The largest squared distance from a pixel of object i of `from` to the bounding box of object j of `to`. */
function farthestFromBox(from: PixelObjects, i: number, to: PixelObjects, j: number): number {
  let farthest = 0;
  for (let at = from.pixelStart[i]; at < from.pixelStart[i + 1]; at++) {
    const row = from.pixelRow[at];
    const col = from.pixelCol[at];
    const dr = row < to.top[j] ? to.top[j] - row : row > to.bottom[j] ? row - to.bottom[j] : 0;
    const dc = col < to.left[j] ? to.left[j] - col : col > to.right[j] ? col - to.right[j] : 0;
    farthest = Math.max(farthest, dr * dr + dc * dc);
  }
  return farthest;
}
