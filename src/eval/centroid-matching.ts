// HoVer-Net's detection and classification statistics (ANCHORS §2.2, run_nuclei_type_stat):
// centroids paired by a minimum-distance assignment over all ground-truth × predicted instances,
// pairs farther apart than 12 px then dropped. Counted per image here; the summary pools them.
import { NUCLEUS_CLASS_NAMES } from '../image/labels.js';
import { CostMatrix, linearSumAssignment } from './hungarian.js';
import type { Objects } from './objects.js';
import type { CentroidMatching, ClassPairCounts, PerClass } from './report.js';

export const MATCH_RADIUS = 12;

export function matchCentroids(pred: Objects, gt: Objects): CentroidMatching {
  const distance = (g: number, p: number): number => {
    const dr = gt.centroidRow[g] - pred.centroidRow[p];
    const dc = gt.centroidCol[g] - pred.centroidCol[p];
    return Math.sqrt(dr * dr + dc * dc);
  };
  const assignment = linearSumAssignment(new CostMatrix(gt.count, pred.count).fill(distance));
  const gtPartner = new Int32Array(gt.count).fill(-1);
  const predPaired = new Uint8Array(pred.count);
  assignment.rows.forEach((g, index) => {
    const p = assignment.cols[index];
    if (distance(g, p) <= MATCH_RADIUS) {
      gtPartner[g] = p;
      predPaired[p] = 1;
    }
  });

  const counts = NUCLEUS_CLASS_NAMES.map(() => ({ tpC: 0, fpC: 0, fnC: 0, fpD: 0, fnD: 0, gt: 0 }));
  const classOf = (objects: Objects, k: number): (typeof counts)[number] => counts[objects.nucleusClass[k]];
  let tp = 0;
  let correct = 0;
  for (let g = 0; g < gt.count; g++) {
    const trueCounts = classOf(gt, g);
    trueCounts.gt++;
    const p = gtPartner[g];
    if (p < 0) {
      trueCounts.fnD++;
      continue;
    }
    tp++;
    if (gt.nucleusClass[g] === pred.nucleusClass[p]) {
      correct++;
      trueCounts.tpC++;
    } else {
      trueCounts.fnC++;
      classOf(pred, p).fpC++;
    }
  }
  for (let p = 0; p < pred.count; p++) if (!predPaired[p]) classOf(pred, p).fpD++;
  const fp = pred.count - tp;
  const fn = gt.count - tp;
  const perClass = Object.fromEntries(NUCLEUS_CLASS_NAMES.map((name, c) => [name, counts[c]])) as PerClass<ClassPairCounts>;
  return { tp, fp, fn, fd: tp + fp + fn === 0 ? null : (2 * tp) / (2 * tp + fp + fn), correct, perClass };
}

/** F_c^t = 2TP_c / (2TP_c + 2FP_c + 2FN_c + FP_d^t + FN_d^t), weights [2, 2, 1, 1] (TN_c is always 0). */
export function classF1(counts: ClassPairCounts): number | null {
  const denominator = 2 * counts.tpC + 2 * counts.fpC + 2 * counts.fnC + counts.fpD + counts.fnD;
  // HoVer-Net scores only the types present in the ground truth.
  return counts.gt === 0 || denominator === 0 ? null : (2 * counts.tpC) / denominator;
}
