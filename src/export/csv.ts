// Per-nucleus morphometrics as CSV: one row per nucleus, the columns of fields.ts (id, class, class
// probabilities, centroid, area, perimeter, equivalent diameter, eccentricity, solidity, mean
// haematoxylin and eosin). Empty cells where a value is unknown; rows end in "\n".
import { fieldValue, nucleusFields } from './fields.js';
import { RecordWriter } from './record-writer.js';

export interface CsvOptions {
  /** µm per pixel: adds area_um2, perimeter_um and equivalent_diameter_um. */
  readonly mpp?: number;
}

/** A streaming CSV writer: add(records) any number of times, then finish() (or abort()). */
export function openCsvWriter(path: string, options: CsvOptions = {}): RecordWriter {
  const fields = nucleusFields(options.mpp);
  return new RecordWriter(path, {
    header: `${fields.map((field) => field.column).join(',')}\n`,
    separator: '',
    footer: '',
    format: (record) => {
      const cells = fields.map((field) => fieldValue(field, record) ?? '');
      return `${cells.join(',')}\n`;
    },
  });
}
