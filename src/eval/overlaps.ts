// The contingency table of two object sets: how many pixels each predicted object shares with each
// ground-truth object. Built in one pass over the predicted objects' pixels and stored sparsely,
// both ways round, partners in increasing index order (so "first maximum" means "smallest id").
import { inGroup, type Group, type Objects, type PixelObjects } from './objects.js';

/** Compressed sparse rows: the partners of item k are partner[start[k] .. start[k + 1]). */
export interface SparseRows {
  readonly start: Int32Array;
  readonly partner: Int32Array;
  readonly count: Float64Array;
}

export interface Overlaps {
  /** For each predicted object, the ground-truth objects it overlaps. */
  readonly byPred: SparseRows;
  /** For each ground-truth object, the predicted objects it overlaps. */
  readonly byGt: SparseRows;
}

export function pixelOverlaps(pred: PixelObjects, gt: PixelObjects): Overlaps {
  if (pred.width !== gt.width || pred.height !== gt.height) {
    throw new RangeError(`label maps differ in size: ${pred.width}×${pred.height} and ${gt.width}×${gt.height}`);
  }
  const shared = new Float64Array(gt.count);
  const touched: number[] = [];
  const start = new Int32Array(pred.count + 1);
  const partner: number[] = [];
  const count: number[] = [];
  for (let k = 0; k < pred.count; k++) {
    for (let at = pred.pixelStart[k]; at < pred.pixelStart[k + 1]; at++) {
      const g = gt.labels[pred.pixelRow[at] * gt.width + pred.pixelCol[at]] - 1;
      if (g < 0) continue;
      if (shared[g] === 0) touched.push(g);
      shared[g]++;
    }
    touched.sort((a, b) => a - b);
    for (const g of touched) {
      partner.push(g);
      count.push(shared[g]);
      shared[g] = 0;
    }
    touched.length = 0;
    start[k + 1] = partner.length;
  }
  const byPred: SparseRows = { start, partner: Int32Array.from(partner), count: Float64Array.from(count) };
  return { byPred, byGt: transposeRows(byPred, gt.count) };
}

/**
 * The same table for groups of objects (instances made of fragments, say): the overlap of two
 * groups is the sum over their members.
 */
export function groupOverlaps(overlaps: Overlaps, predGroupOf: Int32Array, predGroups: number, gtGroupOf: Int32Array, gtGroups: number): Overlaps {
  const { start, partner, count } = overlaps.byPred;
  const entries: { pred: number; gt: number; count: number }[] = [];
  for (let k = 0; k < predGroupOf.length; k++) {
    for (let e = start[k]; e < start[k + 1]; e++) entries.push({ pred: predGroupOf[k], gt: gtGroupOf[partner[e]], count: count[e] });
  }
  entries.sort((a, b) => a.pred - b.pred || a.gt - b.gt);
  const groupStart = new Int32Array(predGroups + 1);
  const groupPartner: number[] = [];
  const groupCount: number[] = [];
  entries.forEach((entry, index) => {
    const previous = entries[index - 1];
    if (previous !== undefined && previous.pred === entry.pred && previous.gt === entry.gt) {
      groupCount[groupCount.length - 1] += entry.count;
      return;
    }
    groupPartner.push(entry.gt);
    groupCount.push(entry.count);
    groupStart[entry.pred + 1] = groupPartner.length;
  });
  // Rows without entries end where the previous row ended.
  for (let p = 1; p <= predGroups; p++) groupStart[p] = Math.max(groupStart[p], groupStart[p - 1]);
  const byPred: SparseRows = { start: groupStart, partner: Int32Array.from(groupPartner), count: Float64Array.from(groupCount) };
  return { byPred, byGt: transposeRows(byPred, gtGroups) };
}

function transposeRows(rows: SparseRows, columnCount: number): SparseRows {
  const { start, partner, count } = rows;
  const outStart = new Int32Array(columnCount + 1);
  for (const column of partner) outStart[column + 1]++;
  for (let c = 0; c < columnCount; c++) outStart[c + 1] += outStart[c];
  const cursor = outStart.slice(0, columnCount);
  const outPartner = new Int32Array(partner.length);
  const outCount = new Float64Array(partner.length);
  // Rows are visited in increasing order, so every column's partners come out sorted.
  for (let r = 0; r + 1 < start.length; r++) {
    for (let e = start[r]; e < start[r + 1]; e++) {
      const at = cursor[partner[e]]++;
      outPartner[at] = r;
      outCount[at] = count[e];
    }
  }
  return { start: outStart, partner: outPartner, count: outCount };
}

/**
 * The entry of item k's row whose partner (an object of `partners` in `group`) shares the most
 * pixels, the smallest partner index on ties; −1 when k overlaps no such object.
 */
export function largestOverlap(rows: SparseRows, k: number, partners: Objects, group: Group): number {
  let best = -1;
  for (let e = rows.start[k]; e < rows.start[k + 1]; e++) {
    if (inGroup(partners, rows.partner[e], group) && (best < 0 || rows.count[e] > rows.count[best])) best = e;
  }
  return best;
}
