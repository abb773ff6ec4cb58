// Evaluation: the paper's metrics (REFERENCE_SPEC §11, with the §13 fixes in README.md) and the
// field's (ANCHORS §2), per image and summarised over a dataset.
export { summarise } from './aggregate.js';
export { evaluateDataset, type LabelPair } from './evaluate.js';
export { evaluateDirectories, pairLabelFiles, type DirectoryReport, type ImagePair } from './evaluate-dirs.js';
export { evaluateImage } from './image-metrics.js';
export { formatMarkdownSummary } from './markdown.js';
export * from './report.js';
