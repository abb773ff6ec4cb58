// The dataset summary from the per-image reports: image means where the definitions average over
// images (the paper's Table 1, HoVer-Net's instance statistics, PanNuke), pooled counts where they
// pool (the paper's Table 2, HoVer-Net's F_d and F_c, CoNIC's mPQ+).
import { NUCLEUS_CLASS_NAMES } from '../image/labels.js';
import { classF1 } from './centroid-matching.js';
import { panopticFromCounts } from './panoptic.js';
import type { ClassName, ClassPairCounts, GroupName, ImageMean, ImageReport, PanopticRecord, PerClass, Summary, Table1Row } from './report.js';

const GROUP_NAMES: readonly GroupName[] = ['all', ...NUCLEUS_CLASS_NAMES];

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
  const confusion = [0, 1, 2].map((t) => [0, 1, 2].map((p) => sum(images, (image) => image.paper.classification.confusion[t][p])));
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
    const records = standard.map((s) => s.panopticPerClass[NUCLEUS_CLASS_NAMES[c]]);
    const [tp, fp, fn, iouSum] = (['tp', 'fp', 'fn', 'iouSum'] as const).map((key) => sum(records, (record) => record[key]));
    return panopticFromCounts(tp, fp, fn, iouSum, true);
  });

  const centroids = standard.map((s) => s.centroids);
  const [tp, fp, fn, correct] = (['tp', 'fp', 'fn', 'correct'] as const).map((key) => sum(centroids, (c) => c[key]));
  const fc = perClass((c) => {
    const name = NUCLEUS_CLASS_NAMES[c];
    const keys = ['tpC', 'fpC', 'fnC', 'fpD', 'fnD', 'gt'] as const;
    const pooled = Object.fromEntries(keys.map((key) => [key, sum(centroids, (m) => m.perClass[name][key])])) as unknown as ClassPairCounts;
    return classF1(pooled);
  });

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

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}

function perClass<T>(make: (c: number) => T): PerClass<T> {
  return Object.fromEntries(NUCLEUS_CLASS_NAMES.map((name, c) => [name, make(c)])) as Record<ClassName, T>;
}

function perGroup<T>(make: (group: GroupName) => T): Record<GroupName, T> {
  return Object.fromEntries(GROUP_NAMES.map((group) => [group, make(group)])) as Record<GroupName, T>;
}
