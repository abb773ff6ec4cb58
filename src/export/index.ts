// The export API: writeNucleusOutputs for everything at once, and the parts for streaming use.
export { CLASS_COLOURS, CLASS_DISPLAY_NAMES } from './class-style.js';
export { traceOutline, type Outline, type Ring } from './contour.js';
export { openCsvWriter, type CsvOptions } from './csv.js';
export { nucleusFields, type NucleusField } from './fields.js';
export { nucleusFeature, openGeoJsonWriter, type GeoJsonOptions } from './geojson.js';
export { rgbToHed } from './hed.js';
export { measureNuclei, type ClassProbabilities, type MeasureInput, type NucleusRecord, type PixelFrame } from './measure.js';
export { OUTPUT_FORMATS, writeNucleusOutputs, type NucleusOutputs, type NucleusOutputsInput, type OutputFormat } from './outputs.js';
export { drawOverlay, writeOverlay } from './overlay.js';
export { RecordWriter } from './record-writer.js';
export { SummaryCounter, writeSummary, type NucleusSummary } from './summary.js';
