// The evaluation report: per-image values and the dataset summary, laid out as the JSON report is
// written. A value that a definition leaves undefined (0/0: nothing to find and nothing found) is
// null and is left out of averages; src/eval/README.md lists when that happens.
import { NUCLEUS_CLASS_NAMES } from '../image/labels.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export type ClassName = (typeof NUCLEUS_CLASS_NAMES)[number];
export type GroupName = 'all' | ClassName;
export type PerClass<T> = Record<ClassName, T>;
export type PerGroup<T> = Record<GroupName, T>;

/** All nuclei, then each class. */
export const GROUP_NAMES: readonly GroupName[] = ['all', ...NUCLEUS_CLASS_NAMES];

/** The paper's detection scores of one group in one image (REFERENCE_SPEC §11.1). */
export interface PaperDetectionScores {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  /** Null when the group has no objects on either side (the paper scores 0; §13.17). */
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
}

/** The paper's object-level scores of one group in one image (REFERENCE_SPEC §11.2). */
export interface ObjectLevelScores {
  /** Null when the group has no objects on either side (the paper scores 0; §13.17). */
  readonly dice: number | null;
  readonly iou: number | null;
  readonly hausdorff: number | null;
}

/** The paper's per-image vector for one group. */
export type PaperGroupScores = PaperDetectionScores & ObjectLevelScores;

/** Classification of the detection true positives of "all" (REFERENCE_SPEC §11.1). */
export interface PaperClassification {
  readonly truePositives: number;
  readonly correct: number;
  readonly accuracy: number | null;
  /** 3×3, rows = ground-truth class, columns = predicted class (tumor, lymphocyte, stroma). */
  readonly confusion: number[][];
}

/** HoVer-Net's get_fast_pq at IoU > 0.5 (ANCHORS §2.1), with the counts pooling needs. */
export interface PanopticRecord {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly iouSum: number;
  readonly dq: number | null;
  readonly sq: number | null;
  readonly pq: number | null;
}

/** Per-class counts of HoVer-Net's F_c (ANCHORS §2.2) in one image. */
export interface ClassPairCounts {
  /** Pairs with true and predicted type t. */
  readonly tpC: number;
  /** Pairs with predicted type t and another true type. */
  readonly fpC: number;
  /** Pairs with true type t and another predicted type. */
  readonly fnC: number;
  /** Unpaired predictions of type t. */
  readonly fpD: number;
  /** Unpaired ground-truth nuclei of type t. */
  readonly fnD: number;
  /** Ground-truth nuclei of type t (F_c is reported only for types present in the ground truth). */
  readonly gt: number;
}

/** Centroid pairing within 12 px (ANCHORS §2.2) in one image. */
export interface CentroidMatching {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly fd: number | null;
  /** Pairs whose predicted type equals the true type. */
  readonly correct: number;
  readonly perClass: PerClass<ClassPairCounts>;
}

export interface ImageReport {
  readonly name: string;
  readonly paper: {
    readonly groups: PerGroup<PaperGroupScores>;
    readonly classification: PaperClassification;
  };
  readonly standard: {
    readonly dice1: number | null;
    readonly aji: number | null;
    readonly ajiPlus: number | null;
    /** All nuclei as one class: HoVer-Net's per-image PQ. */
    readonly panoptic: PanopticRecord;
    /** Per class; dq, sq and pq null where the class is absent from the ground truth (PanNuke). */
    readonly panopticPerClass: PerClass<PanopticRecord>;
    /** Mean of the defined per-class PQs (PanNuke's per-image mPQ). */
    readonly mPQ: number | null;
    readonly centroids: CentroidMatching;
  };
}

/** A mean over images of the values that are defined, and how many there were. */
export interface ImageMean {
  readonly value: number | null;
  readonly images: number;
}

/** Image means of the paper's metrics for one group. */
export type Table1Row = { readonly [M in 'precision' | 'recall' | 'f1' | 'dice' | 'iou' | 'hausdorff']: number | null } & {
  /** Images averaged (those with nuclei of the group in the ground truth or the prediction). */
  readonly images: number;
};

export interface Summary {
  readonly images: number;
  readonly paper: {
    /** Image-averaged, as the paper's Table 1 (REFERENCE_SPEC §11.3). */
    readonly table1: PerGroup<Table1Row>;
    /** Pooled over images; rows = ground truth, columns = prediction. */
    readonly confusion: number[][];
    readonly table2: {
      /** trace / sum of the pooled confusion matrix. */
      readonly all: number | null;
      /** The paper's Table 2 per-class values: C[c][c] / column sum, i.e. the precision of each predicted class among matched nuclei. */
      readonly columnNormalised: PerClass<number | null>;
      /** C[c][c] / row sum: the recall of each true class among matched nuclei. */
      readonly rowNormalised: PerClass<number | null>;
    };
  };
  readonly standard: {
    /** HoVer-Net's run_nuclei_inst_stat: per-image values averaged over images. */
    readonly imageMeans: {
      readonly dice1: number | null;
      readonly aji: number | null;
      readonly ajiPlus: number | null;
      readonly dq: number | null;
      readonly sq: number | null;
      readonly pq: number | null;
      readonly images: number;
    };
    /** PanNuke: binary PQ averaged over the images with ground-truth nuclei. */
    readonly bPQ: ImageMean;
    /** PanNuke: per-class PQ averaged over the images where the class is in the ground truth. */
    readonly pqPerClass: PerClass<ImageMean>;
    /** PanNuke: per-image mPQ averaged over images. */
    readonly mPQ: ImageMean;
    /** CoNIC: per-class TP, FP, FN and IoU sums pooled over images, then PQ. */
    readonly pooledPerClass: PerClass<PanopticRecord>;
    /** CoNIC mPQ+: the mean of the defined pooled per-class PQs. */
    readonly mPQPlus: number | null;
    /** HoVer-Net's run_nuclei_type_stat, pooled over images. */
    readonly hovernet: {
      readonly tp: number;
      readonly fp: number;
      readonly fn: number;
      readonly precision: number | null;
      readonly recall: number | null;
      readonly fd: number | null;
      readonly accuracy: number | null;
      readonly fc: PerClass<number | null>;
    };
  };
}

export interface DatasetReport {
  readonly perImage: ImageReport[];
  readonly summary: Summary;
}

/** Writes the report as JSON (atomically: the file is complete or untouched). */
export function writeReportJson(path: string, report: object): void {
  writeFileAtomic(path, (write) => write(`${JSON.stringify(report, null, 2)}\n`));
}
