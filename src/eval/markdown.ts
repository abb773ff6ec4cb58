// The summary as markdown: the paper's Table 1 and Table 2 layouts (REFERENCE_SPEC §12), so a row
// can be set beside the paper's, then the field's standard metrics (ANCHORS §2).
import { NUCLEUS_CLASS_NAMES } from '../image/labels.js';
import { GROUP_NAMES, type GroupName, type Summary } from './report.js';

export const GROUP_TITLES: Record<GroupName, string> = { all: 'All', tumor: 'Tumor', lymphocyte: 'Lym', stroma: 'Stroma' };

/** Markdown tables of the summary; `method` names the row, as the paper's tables name methods. */
export function formatMarkdownSummary(summary: Summary, method = 'histonuc'): string {
  const { table1, table2, confusion } = summary.paper;
  const { imageMeans, bPQ, pqPerClass, mPQ, mPQPlus, pooledPerClass, hovernet } = summary.standard;
  const classTitles = NUCLEUS_CLASS_NAMES.map((name) => GROUP_TITLES[name]);
  const lines = [
    `### Segmentation (the paper's Table 1; means over ${summary.images} images)`,
    '',
    table(
      ['Method', ...GROUP_NAMES.flatMap((g) => [`${GROUP_TITLES[g]} F1`, `${GROUP_TITLES[g]} Dice`, `${GROUP_TITLES[g]} Haus`])],
      [[method, ...GROUP_NAMES.flatMap((g) => [fixed(table1[g].f1, 3), fixed(table1[g].dice, 3), fixed(table1[g].hausdorff, 2)])]],
    ),
    '',
    'Per group (images: those with nuclei of the group in the ground truth or the prediction):',
    '',
    table(
      ['Group', 'Precision', 'Recall', 'F1', 'Dice', 'IoU', 'Haus (px)', 'Images'],
      GROUP_NAMES.map((g) => {
        const row = table1[g];
        return [GROUP_TITLES[g], fixed(row.precision, 3), fixed(row.recall, 3), fixed(row.f1, 3), fixed(row.dice, 3), fixed(row.iou, 3), fixed(row.hausdorff, 2), String(row.images)];
      }),
    ),
    '',
    `### Classification (the paper's Table 2, %; ${confusion.flat().reduce((a, b) => a + b, 0)} detection true positives pooled)`,
    '',
    table(
      ['Method', 'All', ...classTitles],
      [
        [`${method} (column-normalised, as the paper: precision of each predicted class)`, percent(table2.all), ...NUCLEUS_CLASS_NAMES.map((c) => percent(table2.columnNormalised[c]))],
        [`${method} (row-normalised: recall of each true class)`, percent(table2.all), ...NUCLEUS_CLASS_NAMES.map((c) => percent(table2.rowNormalised[c]))],
      ],
    ),
    '',
    'Confusion matrix (rows = ground truth, columns = prediction):',
    '',
    table(['', ...classTitles], confusion.map((row, t) => [classTitles[t], ...row.map(String)])),
    '',
    '### Standard metrics',
    '',
    `Instance segmentation (HoVer-Net; means over ${imageMeans.images} images):`,
    '',
    table(
      ['Dice1', 'AJI', 'AJI+', 'DQ', 'SQ', 'PQ'],
      [[imageMeans.dice1, imageMeans.aji, imageMeans.ajiPlus, imageMeans.dq, imageMeans.sq, imageMeans.pq].map((v) => fixed(v, 4))],
    ),
    '',
    'Panoptic quality by class (PanNuke bPQ/mPQ: means over the images where defined; CoNIC mPQ+: pooled over images):',
    '',
    table(
      ['', 'bPQ', 'mPQ', ...classTitles.map((title) => `PQ ${title}`)],
      [
        ['per image, averaged', fixed(bPQ.value, 4), fixed(mPQ.value, 4), ...NUCLEUS_CLASS_NAMES.map((c) => fixed(pqPerClass[c].value, 4))],
        ['pooled (mPQ+)', '', fixed(mPQPlus, 4), ...NUCLEUS_CLASS_NAMES.map((c) => fixed(pooledPerClass[c].pq, 4))],
      ],
    ),
    '',
    `Detection and classification (HoVer-Net; centroids paired within 12 px, pooled: ${hovernet.tp} pairs, ${hovernet.fp} unpaired predictions, ${hovernet.fn} unpaired ground truth):`,
    '',
    table(
      ['F_d', 'Precision', 'Recall', 'Type accuracy', ...classTitles.map((title) => `F_c ${title}`)],
      [[hovernet.fd, hovernet.precision, hovernet.recall, hovernet.accuracy, ...NUCLEUS_CLASS_NAMES.map((c) => hovernet.fc[c])].map((v) => fixed(v, 4))],
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** A markdown table. */
export function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function fixed(value: number | null, digits: number): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}

export function percent(value: number | null): string {
  return value === null ? 'n/a' : (100 * value).toFixed(2);
}
