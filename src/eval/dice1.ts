// HoVer-Net's Dice1 (ANCHORS §2.1): the binary Dice of the two foregrounds.
import type { Objects } from './objects.js';
import type { Overlaps } from './overlaps.js';

/** 2·|T∩P| / (|T| + |P|); null when both foregrounds are empty. */
export function foregroundDice(pred: Objects, gt: Objects, overlaps: Overlaps): number | null {
  // Every pixel of T∩P belongs to exactly one (ground truth, prediction) pair.
  let shared = 0;
  for (const count of overlaps.byGt.count) shared += count;
  let total = 0;
  for (const area of gt.area) total += area;
  for (const area of pred.area) total += area;
  return total === 0 ? null : (2 * shared) / total;
}
