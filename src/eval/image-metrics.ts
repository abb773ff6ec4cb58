// Every metric of one image: the paper's per group (all nuclei and each class) and the field's.
import { maxLabel, NUCLEUS_CLASS_NAMES, type NucleusClass } from '../image/labels.js';
import type { LabelMap } from '../image/raster.js';
import { meanOfDefined } from './aggregate.js';
import { aggregatedJaccard, aggregatedJaccardPlus } from './aji.js';
import { matchCentroids } from './centroid-matching.js';
import { foregroundDice } from './dice1.js';
import { ObjectLevel } from './object-level.js';
import { groupById, pixelObjects, type Group } from './objects.js';
import { groupOverlaps, pixelOverlaps } from './overlaps.js';
import { panopticQuality } from './panoptic.js';
import { paperClassification, paperDetection } from './paper-detection.js';
import { GROUP_NAMES, type GroupName, type ImageReport, type PaperGroupScores, type PanopticRecord, type PerClass, type PerGroup } from './report.js';

/**
 * Evaluates a class-encoded predicted label map against the ground truth (both id mod 3 = class).
 * `name` labels the image in the report and in error messages.
 */
export function evaluateImage(name: string, pred: LabelMap, gt: LabelMap): ImageReport {
  checkLabelMap(name, 'prediction', pred);
  checkLabelMap(name, 'ground truth', gt);
  if (pred.width !== gt.width || pred.height !== gt.height) {
    throw new RangeError(`${name}: the prediction is ${pred.width}×${pred.height} but the ground truth is ${gt.width}×${gt.height}`);
  }

  const predObjects = pixelObjects(pred);
  const gtObjects = pixelObjects(gt);
  const overlaps = pixelOverlaps(predObjects, gtObjects);
  const objectLevel = new ObjectLevel(predObjects, gtObjects, overlaps);
  const groups = {} as PerGroup<PaperGroupScores>;
  let allMatches: [number, number][] = [];
  for (const groupName of GROUP_NAMES) {
    const group = groupOfName(groupName);
    const { matches, ...detection } = paperDetection(predObjects, gtObjects, overlaps, group);
    if (group === 'all') allMatches = matches;
    groups[groupName] = { ...detection, ...objectLevel.scores(group) };
  }

  const { instances: predInstances, instanceOf: predInstanceOf } = groupById(predObjects);
  const { instances: gtInstances, instanceOf: gtInstanceOf } = groupById(gtObjects);
  const instanceOverlaps = groupOverlaps(overlaps, predInstanceOf, predInstances.count, gtInstanceOf, gtInstances.count);
  const panopticPerClass = {} as PerClass<PanopticRecord>;
  for (const className of NUCLEUS_CLASS_NAMES) {
    panopticPerClass[className] = panopticQuality(predInstances, gtInstances, instanceOverlaps, groupOfName(className), 'nothing-in-ground-truth');
  }

  return {
    name,
    paper: { groups, classification: paperClassification(predObjects, gtObjects, allMatches) },
    standard: {
      dice1: foregroundDice(predInstances, gtInstances, instanceOverlaps),
      aji: aggregatedJaccard(predInstances, gtInstances, instanceOverlaps),
      ajiPlus: aggregatedJaccardPlus(predInstances, gtInstances, instanceOverlaps),
      panoptic: panopticQuality(predInstances, gtInstances, instanceOverlaps, 'all', 'nothing-either-side'),
      panopticPerClass,
      mPQ: meanOfDefined(Object.values(panopticPerClass).map((record) => record.pq)).value,
      centroids: matchCentroids(predInstances, gtInstances),
    },
  };
}

function groupOfName(name: GroupName): Group {
  return name === 'all' ? 'all' : (NUCLEUS_CLASS_NAMES.indexOf(name) as NucleusClass);
}

function checkLabelMap(name: string, role: string, labels: LabelMap): void {
  if (labels.channels !== 1) throw new RangeError(`${name}: the ${role} has ${labels.channels} channels; a label map has one`);
  const values: unknown = labels.data;
  if (!(values instanceof Int32Array)) {
    throw new TypeError(`${name}: the ${role} holds ${(values as object).constructor.name} values; a label map holds integer ids (Int32Array)`);
  }
  try {
    maxLabel(labels);
  } catch (error) {
    throw new RangeError(`${name}: the ${role} is not a label map: ${(error as Error).message}`);
  }
}
