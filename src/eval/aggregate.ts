// The dataset summary from the per-image reports: image means where the definitions average over
// images (the paper's Table 1, HoVer-Net's instance statistics, PanNuke), pooled counts where they
// pool (the paper's Table 2, HoVer-Net's F_d and F_c, CoNIC's mPQ+).
import { NUCLEUS_CLASS_NAMES } from '../image/labels.js';
import { classF1 } from './centroid-matching.js';
import { panopticFromCounts } from './panoptic.js';
import { GROUP_NAMES, type ClassName, type GroupName, type ImageMean, type ImageReport, type PanopticRecord, type PerClass, type Summary, type Table1Row } from './report.js';

/** The mean of the non-null values and how many there were (null when none). */
export function meanOfDefined(values: (number | null)[]): ImageMean {
  let sum = 0;
  let images = 0;
  for (const value of values) {
    if (value === null) continue;
    sum += value;
    images++;
  }
  return { value: images === 0 ? null : sum / images, images };
}

export function summarise(images: readonly ImageReport[]): Summary {
  return { images: images.length, paper: paperSummary(images), standard: standardSummary(images) };
}

function paperSummary(images: readonly ImageReport[]): Summary['paper'] {
  const table1 = perGroup((group): Table1Row => {
    const scores = images.map((image) => image.paper.groups[group]);
    const mean = (metric: keyof Omit<Table1Row, 'images'>): number | null => meanOfDefined(scores.map((s) => s[metric])).value;
    return {
      precision: mean('precision'),
      recall: mean('recall'),
      f1: mean('f1'),
      dice: mean('dice'),
      iou: mean('iou'),
      hausdorff: mean('hausdorff'),
      images: meanOfDefined(scores.map((s) => s.f1)).images,
    };
  });
  const confusion = [0, 1, 2].map(() => [0, 0, 0]);
  for (const image of images) image.paper.classification.confusion.forEach((row, t) => row.forEach((count, p) => (confusion[t][p] += count)));
  const total = confusion.flat().reduce((a, b) => a + b, 0);
  const diagonal = (c: number): number => confusion[c][c];
  return {
    table1,
    confusion,
    table2: {
      all: ratio(diagonal(0) + diagonal(1) + diagonal(2), total),
      columnNormalised: perClass((c) => ratio(diagonal(c), confusion[0][c] + confusion[1][c] + confusion[2][c])),
      rowNormalised: perClass((c) => ratio(diagonal(c), confusion[c][0] + confusion[c][1] + confusion[c][2])),
    },
  };
}

function standardSummary(images: readonly ImageReport[]): Summary['standard'] {
  const standard = images.map((image) => image.standard);
  const panoptic = (metric: 'dq' | 'sq' | 'pq'): number | null => meanOfDefined(standard.map((s) => s.panoptic[metric])).value;
  const dice1 = meanOfDefined(standard.map((s) => s.dice1));

  const pooledPerClass = perClass((c): PanopticRecord => {
    const pooled = sumFields(standard.map((s) => s.panopticPerClass[NUCLEUS_CLASS_NAMES[c]]), ['tp', 'fp', 'fn', 'iouSum']);
    return panopticFromCounts(pooled.tp, pooled.fp, pooled.fn, pooled.iouSum, true);
  });

  const centroids = standard.map((s) => s.centroids);
  const { tp, fp, fn, correct } = sumFields(centroids, ['tp', 'fp', 'fn', 'correct']);
  const fc = perClass((c) => classF1(sumFields(centroids.map((m) => m.perClass[NUCLEUS_CLASS_NAMES[c]]), ['tpC', 'fpC', 'fnC', 'fpD', 'fnD', 'gt'])));

  return {
    imageMeans: {
      dice1: dice1.value,
      aji: meanOfDefined(standard.map((s) => s.aji)).value,
      ajiPlus: meanOfDefined(standard.map((s) => s.ajiPlus)).value,
      dq: panoptic('dq'),
      sq: panoptic('sq'),
      pq: panoptic('pq'),
      images: dice1.images,
    },
    bPQ: meanOfDefined(standard.map((s) => (s.panoptic.tp + s.panoptic.fn > 0 ? s.panoptic.pq : null))),
    pqPerClass: perClass((c) => meanOfDefined(standard.map((s) => s.panopticPerClass[NUCLEUS_CLASS_NAMES[c]].pq))),
    mPQ: meanOfDefined(standard.map((s) => s.mPQ)),
    pooledPerClass,
    mPQPlus: meanOfDefined(Object.values(pooledPerClass).map((record) => record.pq)).value,
    hovernet: {
      tp,
      fp,
      fn,
      precision: ratio(tp, tp + fp),
      recall: ratio(tp, tp + fn),
      fd: ratio(2 * tp, 2 * tp + fp + fn),
      accuracy: ratio(correct, tp),
      fc,
    },
  };
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Field-wise sums of the records, in record order. */
function sumFields<K extends string>(records: readonly Record<K, number>[], keys: readonly K[]): Record<K, number> {
  const totals = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  for (const record of records) for (const key of keys) totals[key] += record[key];
  return totals;
}

function perClass<T>(make: (c: number) => T): PerClass<T> {
  return Object.fromEntries(NUCLEUS_CLASS_NAMES.map((name, c) => [name, make(c)])) as Record<ClassName, T>;
}

function perGroup<T>(make: (group: GroupName) => T): Record<GroupName, T> {
  return Object.fromEntries(GROUP_NAMES.map((group) => [group, make(group)])) as Record<GroupName, T>;
}
