// The per-nucleus numbers the tables show, defined once: the CSV writes them as columns, the GeoJSON
// as QuPath measurements (those with a QuPath name). Lengths and areas are in pixels, and also in µm
// when the pixel size is known.
import { NUCLEUS_CLASS_NAMES } from '../image/labels.js';
import { CLASS_DISPLAY_NAMES } from './class-style.js';
import type { NucleusRecord } from './measure.js';

export interface NucleusField {
  /** CSV column name. */
  readonly column: string;
  /** Measurement name in the GeoJSON, for numeric fields QuPath does not derive itself. */
  readonly measurement?: string;
  /** null where the record has no value (probabilities the caller did not give). */
  value(record: NucleusRecord): number | string | null;
}

/** The fields, in column order; mpp (µm per pixel) adds the physical sizes. */
export function nucleusFields(mpp?: number): NucleusField[] {
  const fields: NucleusField[] = [
    { column: 'id', measurement: 'Nucleus ID', value: (r) => r.id },
    { column: 'class', value: (r) => NUCLEUS_CLASS_NAMES[r.nucleusClass] },
    { column: 'probability', measurement: 'Class probability', value: (r) => r.probabilities?.[r.nucleusClass] ?? null },
    ...NUCLEUS_CLASS_NAMES.map((name, c): NucleusField => ({
      column: `probability_${name}`,
      measurement: `Probability: ${CLASS_DISPLAY_NAMES[c as 0 | 1 | 2]}`,
      value: (r) => r.probabilities?.[c] ?? null,
    })),
    { column: 'centroid_x', value: (r) => r.centroid.x },
    { column: 'centroid_y', value: (r) => r.centroid.y },
    { column: 'area_px', measurement: 'Area px^2', value: (r) => r.area },
    { column: 'perimeter_px', measurement: 'Perimeter px', value: (r) => r.perimeter },
    { column: 'equivalent_diameter_px', measurement: 'Equivalent diameter px', value: (r) => r.equivalentDiameter },
  ];
  if (mpp !== undefined) {
    checkPixelSize(mpp);
    fields.push(
      { column: 'area_um2', measurement: 'Area µm^2', value: (r) => r.area * mpp * mpp },
      { column: 'perimeter_um', measurement: 'Perimeter µm', value: (r) => r.perimeter * mpp },
      { column: 'equivalent_diameter_um', measurement: 'Equivalent diameter µm', value: (r) => r.equivalentDiameter * mpp },
    );
  }
  fields.push(
    { column: 'eccentricity', measurement: 'Eccentricity', value: (r) => r.eccentricity },
    { column: 'solidity', measurement: 'Solidity', value: (r) => r.solidity },
    { column: 'mean_haematoxylin', measurement: 'Haematoxylin mean', value: (r) => r.meanHaematoxylin },
    { column: 'mean_eosin', measurement: 'Eosin mean', value: (r) => r.meanEosin },
  );
  return fields;
}

/** The field's value for a record; a number that is not finite means a corrupt record and throws. */
export function fieldValue(field: NucleusField, record: NucleusRecord): number | string | null {
  const value = field.value(record);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`nucleus ${record.id}: ${field.column} is ${value}`);
  return value;
}

/** Throws unless mpp is a usable pixel size in µm. */
export function checkPixelSize(mpp: number): void {
  if (!(Number.isFinite(mpp) && mpp > 0)) throw new RangeError(`pixel size must be a positive number of µm, got ${mpp}`);
}
