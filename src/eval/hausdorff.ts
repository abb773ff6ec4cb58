// The symmetric Hausdorff distance between all pixels of two objects (REFERENCE_SPEC §11.2):
// max(directed(A→B), directed(B→A)), directed = max over a ∈ A of the Euclidean distance on
// (row, col) to the nearest b ∈ B.
//
// Two exact ways to the directed distance, the cheaper one chosen per pair:
// - Pixel pairs: only a ∈ A \ B can be away from B, and the nearest b to a pixel outside B is a
//   boundary pixel of B (one with a 4-neighbour outside B: from an interior b, the step towards a
//   stays in B and is nearer). Scanning boundary pixels from where the previous a found its
//   nearest one, and stopping once one is no farther than the running maximum (Taha & Hanbury's
//   early break, as scipy's directed_hausdorff), costs far less than |A \ B|·|∂B| on nuclei.
// - A Euclidean distance transform of B over the joint bounding box, read at A's pixels: linear
//   in the box's area, for the rare pairs (a huge predicted blob, say) where pairs would cost more.
import { distanceTransform } from '../image/distance.js';
import { createRaster } from '../image/raster.js';
import type { PixelObjects } from './objects.js';

/** Pixel pairs are tried while |A \ B|·|∂B| is at most this many times the joint box's area. */
const PAIRS_PER_BOX_PIXEL = 32;

interface Box {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/** Hausdorff distances between the objects of a ground truth and a prediction. */
export class HausdorffMeter {
  private readonly gtBoundary: Boundary;
  private readonly predBoundary: Boundary;

  constructor(
    private readonly gt: PixelObjects,
    private readonly pred: PixelObjects,
  ) {
    this.gtBoundary = boundaries(gt);
    this.predBoundary = boundaries(pred);
  }

  /** Hausdorff distance between ground-truth object g and predicted object p. */
  distance(g: number, p: number): number {
    const { gt, pred } = this;
    const top = Math.min(gt.top[g], pred.top[p]);
    const left = Math.min(gt.left[g], pred.left[p]);
    const box = { top, left, height: Math.max(gt.bottom[g], pred.bottom[p]) - top + 1, width: Math.max(gt.right[g], pred.right[p]) - left + 1 };
    const squared = Math.max(directedSquared(gt, g, pred, p, this.predBoundary, box), directedSquared(pred, p, gt, g, this.gtBoundary, box));
    return Math.sqrt(squared);
  }
}

/** Per object, the pixel positions (indices into pixelRow/pixelCol) with a 4-neighbour outside it. */
interface Boundary {
  readonly start: Int32Array;
  readonly at: Int32Array;
}

function boundaries(objects: PixelObjects): Boundary {
  const { labels, width, height, pixelRow, pixelCol, pixelStart } = objects;
  const start = new Int32Array(objects.count + 1);
  const at = new Int32Array(pixelRow.length);
  let size = 0;
  for (let k = 0; k < objects.count; k++) {
    const id = k + 1;
    for (let p = pixelStart[k]; p < pixelStart[k + 1]; p++) {
      const row = pixelRow[p];
      const col = pixelCol[p];
      const i = row * width + col;
      const interior = row > 0 && row + 1 < height && col > 0 && col + 1 < width && labels[i - width] === id && labels[i + width] === id && labels[i - 1] === id && labels[i + 1] === id;
      if (!interior) at[size++] = p;
    }
    start[k + 1] = size;
  }
  return { start, at: at.slice(0, size) };
}

/** Squared directed distance from object i of `from` to object j of `to` (whose boundary is given). */
function directedSquared(from: PixelObjects, i: number, to: PixelObjects, j: number, toBoundary: Boundary, box: Box): number {
  const { labels, width } = to;
  let outside = 0;
  for (let p = from.pixelStart[i]; p < from.pixelStart[i + 1]; p++) if (labels[from.pixelRow[p] * width + from.pixelCol[p]] !== j + 1) outside++;
  if (outside === 0) return 0;
  const boundaryStart = toBoundary.start[j];
  const boundarySize = toBoundary.start[j + 1] - boundaryStart;
  if (outside * boundarySize > PAIRS_PER_BOX_PIXEL * box.height * box.width) return directedByTransform(from, i, to, j, box);

  let farthest = 0;
  let nearestAt = 0;
  for (let p = from.pixelStart[i]; p < from.pixelStart[i + 1]; p++) {
    const row = from.pixelRow[p];
    const col = from.pixelCol[p];
    if (labels[row * width + col] === j + 1) continue;
    let nearest = Infinity;
    for (let t = 0, b = nearestAt; t < boundarySize; t++, b = b + 1 === boundarySize ? 0 : b + 1) {
      const q = toBoundary.at[boundaryStart + b];
      const dr = row - to.pixelRow[q];
      const dc = col - to.pixelCol[q];
      const squared = dr * dr + dc * dc;
      if (squared < nearest) {
        nearest = squared;
        nearestAt = b;
        // This pixel cannot raise the maximum any more.
        if (squared <= farthest) break;
      }
    }
    if (nearest > farthest) farthest = nearest;
  }
  return farthest;
}

function directedByTransform(from: PixelObjects, i: number, to: PixelObjects, j: number, box: Box): number {
  const { top, left, height, width } = box;
  // Zero on the target's pixels: the transform measures the distance to the nearest of them.
  const target = new Uint8Array(height * width).fill(1);
  for (let p = to.pixelStart[j]; p < to.pixelStart[j + 1]; p++) target[(to.pixelRow[p] - top) * width + to.pixelCol[p] - left] = 0;
  const distance = distanceTransform(createRaster(target, width, height)).distance.data;
  let farthest = 0;
  for (let p = from.pixelStart[i]; p < from.pixelStart[i + 1]; p++) {
    farthest = Math.max(farthest, distance[(from.pixelRow[p] - top) * width + from.pixelCol[p] - left]);
  }
  // Squared, as the pixel-pair path returns; the transform's distances are square roots of integers.
  return Math.round(farthest * farthest);
}
