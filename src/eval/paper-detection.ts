// The paper's detection and classification (REFERENCE_SPEC §11.1): a predicted object is a true
// positive when it covers at least half of the ground-truth object it overlaps most.
import { groupSize, inGroup, type Group, type PixelObjects } from './objects.js';
import { largestOverlap, type Overlaps } from './overlaps.js';
import type { PaperClassification, PaperDetectionScores } from './report.js';

export interface PaperDetection extends PaperDetectionScores {
  /** [predicted object, ground-truth object] of every true positive. */
  readonly matches: [number, number][];
}

export function paperDetection(pred: PixelObjects, gt: PixelObjects, overlaps: Overlaps, group: Group): PaperDetection {
  const predCount = groupSize(pred, group);
  const gtCount = groupSize(gt, group);
  const matches: [number, number][] = [];
  const found = new Uint8Array(gt.count);
  for (let s = 0; s < pred.count; s++) {
    if (!inGroup(pred, s, group)) continue;
    const e = largestOverlap(overlaps.byPred, s, gt, group);
    if (e < 0) continue;
    const g = overlaps.byPred.partner[e];
    // |S∩G*| / |G*| ≥ 0.5, in integers. Two predictions can meet this for one G* only by covering
    // exactly half each; the reference then counts G* twice (FN < 0, F1 > 1), here the second is
    // a false positive.
    if (2 * overlaps.byPred.count[e] >= gt.area[g] && !found[g]) {
      found[g] = 1;
      matches.push([s, g]);
    }
  }
  const tp = matches.length;
  const counts = { tp, fp: predCount - tp, fn: gtCount - tp, matches };
  if (predCount === 0 && gtCount === 0) return { ...counts, precision: null, recall: null, f1: null };
  if (tp === 0) return { ...counts, precision: 0, recall: 0, f1: 0 };
  const precision = tp / predCount;
  const recall = tp / gtCount;
  return { ...counts, precision, recall, f1: (2 * precision * recall) / (precision + recall) };
}

/** Predicted class against true class over the true positives of "all". */
export function paperClassification(pred: PixelObjects, gt: PixelObjects, matches: [number, number][]): PaperClassification {
  const confusion = [0, 1, 2].map(() => [0, 0, 0]);
  for (const [s, g] of matches) confusion[gt.nucleusClass[g]][pred.nucleusClass[s]]++;
  const correct = confusion[0][0] + confusion[1][1] + confusion[2][2];
  return { truePositives: matches.length, correct, accuracy: matches.length === 0 ? null : correct / matches.length, confusion };
}
