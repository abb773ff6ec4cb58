// Every metric of one image: the paper's per group (all nuclei and each class) and the field's.
import { maxLabel, NUCLEUS_CLASS_NAMES } from '../image/labels.js';
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
import type { ClassName, GroupName, ImageReport, PaperGroupScores, PanopticRecord, PerClass, PerGroup } from './report.js';

export const GROUPS: readonly [GroupName, Group][] = [['all', 'all'], ...NUCLEUS_CLASS_NAMES.map((name, index): [GroupName, Group] => [name, index as Group])];

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
  const groups = {} as Record<GroupName, PaperGroupScores>;
  let allMatches: [number, number][] = [];
  for (const [groupName, group] of GROUPS) {
    const { matches, ...detection } = paperDetection(predObjects, gtObjects, overlaps, group);
    if (group === 'all') allMatches = matches;
    groups[groupName] = { ...detection, ...objectLevel.scores(group) };
  }

  const { instances: predInstances, instanceOf: predInstanceOf } = groupById(predObjects);
  const { instances: gtInstances, instanceOf: gtInstanceOf } = groupById(gtObjects);
  const instanceOverlaps = groupOverlaps(overlaps, predInstanceOf, predInstances.count, gtInstanceOf, gtInstances.count);
  const panopticPerClass = {} as Record<ClassName, PanopticRecord>;
  for (const [groupName, group] of GROUPS.slice(1)) {
    panopticPerClass[groupName as ClassName] = panopticQuality(predInstances, gtInstances, instanceOverlaps, group, 'nothing-in-ground-truth');
  }

  return {
    name,
    paper: { groups: groups as PerGroup<PaperGroupScores>, classification: paperClassification(predObjects, gtObjects, allMatches) },
    standard: {
      dice1: foregroundDice(predInstances, gtInstances, instanceOverlaps),
      aji: aggregatedJaccard(predInstances, gtInstances, instanceOverlaps),
      ajiPlus: aggregatedJaccardPlus(predInstances, gtInstances, instanceOverlaps),
      panoptic: panopticQuality(predInstances, gtInstances, instanceOverlaps, 'all', 'nothing-either-side'),
      panopticPerClass: panopticPerClass as PerClass<PanopticRecord>,
      mPQ: meanOfDefined(Object.values(panopticPerClass).map((record) => record.pq)).value,
      centroids: matchCentroids(predInstances, gtInstances),
    },
  };
}

function checkLabelMap(name: string, role: string, labels: LabelMap): void {
  if (labels.channels !== 1) throw new RangeError(`${name}: the ${role} has ${labels.channels} channels; a label image has one`);
  try {
    maxLabel(labels);
  } catch (error) {
    throw new RangeError(`${name}: the ${role} is not a label image: ${(error as Error).message}`);
  }
}
