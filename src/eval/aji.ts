// Aggregated Jaccard Index, AJI (MoNuSeg) and AJI+ (ANCHORS §2.1, HoVer-Net's get_fast_aji and
// get_fast_aji_plus): summed intersections of paired instances over summed unions, every unpaired
// instance's area added to the union. AJI pairs each ground-truth instance with its best-IoU
// prediction (a prediction may serve several); AJI+ pairs them one-to-one by a maximum-IoU
// assignment.
import { CostMatrix, linearSumAssignment } from './hungarian.js';
import type { Objects } from './objects.js';
import type { Overlaps } from './overlaps.js';

/** Null when both label maps are empty. */
export function aggregatedJaccard(pred: Objects, gt: Objects, overlaps: Overlaps): number | null {
  const { start, partner, count } = overlaps.byGt;
  const pairs: Pair[] = [];
  for (let g = 0; g < gt.count; g++) {
    let best = -1;
    let bestIou = 0;
    for (let e = start[g]; e < start[g + 1]; e++) {
      const iou = count[e] / (gt.area[g] + pred.area[partner[e]] - count[e]);
      if (iou > bestIou) {
        best = e;
        bestIou = iou;
      }
    }
    if (best >= 0) pairs.push({ gt: g, pred: partner[best], shared: count[best] });
  }
  return jaccardOfPairs(pred, gt, pairs);
}

/** Null when both label maps are empty. */
export function aggregatedJaccardPlus(pred: Objects, gt: Objects, overlaps: Overlaps): number | null {
  const { start, partner, count } = overlaps.byGt;
  // HoVer-Net assigns on the dense −IoU matrix, zeros included; pairs without overlap are dropped.
  const cost = new CostMatrix(gt.count, pred.count);
  for (let g = 0; g < gt.count; g++) {
    for (let e = start[g]; e < start[g + 1]; e++) cost.set(g, partner[e], -count[e] / (gt.area[g] + pred.area[partner[e]] - count[e]));
  }
  const assignment = linearSumAssignment(cost);
  const pairs: Pair[] = [];
  assignment.rows.forEach((g, index) => {
    const p = assignment.cols[index];
    const shared = sharedPixels(overlaps, g, p);
    if (shared > 0) pairs.push({ gt: g, pred: p, shared });
  });
  return jaccardOfPairs(pred, gt, pairs);
}

interface Pair {
  readonly gt: number;
  readonly pred: number;
  readonly shared: number;
}

function sharedPixels(overlaps: Overlaps, g: number, p: number): number {
  const { start, partner, count } = overlaps.byGt;
  for (let e = start[g]; e < start[g + 1]; e++) if (partner[e] === p) return count[e];
  return 0;
}

function jaccardOfPairs(pred: Objects, gt: Objects, pairs: Pair[]): number | null {
  let intersection = 0;
  let union = 0;
  const gtPaired = new Uint8Array(gt.count);
  const predPaired = new Uint8Array(pred.count);
  for (const { gt: g, pred: p, shared } of pairs) {
    intersection += shared;
    union += gt.area[g] + pred.area[p] - shared;
    gtPaired[g] = 1;
    predPaired[p] = 1;
  }
  for (let g = 0; g < gt.count; g++) if (!gtPaired[g]) union += gt.area[g];
  for (let p = 0; p < pred.count; p++) if (!predPaired[p]) union += pred.area[p];
  return union === 0 ? null : intersection / union;
}
