// Panoptic quality as HoVer-Net's get_fast_pq computes it (ANCHORS §2.1): instances pair when
// their IoU is strictly above 0.5, which makes the pairs unique without an assignment step.
import { groupSize, inGroup, type Group, type Objects } from './objects.js';
import type { Overlaps } from './overlaps.js';
import type { PanopticRecord } from './report.js';

/** When DQ, SQ and PQ are left undefined (null). */
export type UndefinedWhen = 'nothing-either-side' | 'nothing-in-ground-truth';

export function panopticQuality(pred: Objects, gt: Objects, overlaps: Overlaps, group: Group, undefinedWhen: UndefinedWhen): PanopticRecord {
  const { start, partner, count } = overlaps.byGt;
  let gtCount = 0;
  let tp = 0;
  let iouSum = 0;
  for (let g = 0; g < gt.count; g++) {
    if (!inGroup(gt, g, group)) continue;
    gtCount++;
    for (let e = start[g]; e < start[g + 1]; e++) {
      const p = partner[e];
      if (!inGroup(pred, p, group)) continue;
      const union = gt.area[g] + pred.area[p] - count[e];
      if (2 * count[e] > union) {
        tp++;
        iouSum += count[e] / union;
      }
    }
  }
  const predCount = groupSize(pred, group);
  const fp = predCount - tp;
  const fn = gtCount - tp;
  const defined = undefinedWhen === 'nothing-in-ground-truth' ? gtCount > 0 : gtCount + predCount > 0;
  return panopticFromCounts(tp, fp, fn, iouSum, defined);
}

/** DQ = TP / (TP + FP/2 + FN/2), SQ = ΣIoU / (TP + 1e−6) as HoVer-Net writes it, PQ = DQ·SQ. */
export function panopticFromCounts(tp: number, fp: number, fn: number, iouSum: number, defined: boolean): PanopticRecord {
  if (!defined || tp + fp + fn === 0) return { tp, fp, fn, iouSum, dq: null, sq: null, pq: null };
  const dq = tp / (tp + 0.5 * fp + 0.5 * fn);
  const sq = iouSum / (tp + 1e-6);
  return { tp, fp, fn, iouSum, dq, sq, pq: dq * sq };
}
