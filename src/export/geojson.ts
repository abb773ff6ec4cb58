// Nuclei as a GeoJSON FeatureCollection (RFC 7946) that QuPath (v0.4 and later) imports as
// detections, written the way QuPath itself exports objects:
//   {"type": "Feature", "id": 12, "geometry": {"type": "Polygon", ...},
//    "properties": {"objectType": "detection", "classification": {"name": "Tumor", "color": [255, 0, 0]},
//                   "measurements": {"Nucleus ID": 12, "Probability: Tumor": 0.93, ...}}}
// Coordinates are image pixels with the origin at the top-left corner of the image, on pixel corners
// (QuPath's convention). A nucleus in several pieces, or whose pieces touch only at corners, is a
// MultiPolygon (contour.ts).
// QuPath reads a non-UUID "id" as no id and makes its own; the nucleus id is kept as a measurement.
import { CLASS_COLOURS, CLASS_DISPLAY_NAMES } from './class-style.js';
import { fieldValue, nucleusFields } from './fields.js';
import type { NucleusRecord } from './measure.js';
import { RecordWriter, type RecordLayout } from './record-writer.js';

export interface GeoJsonOptions {
  /** µm per pixel: adds the physical sizes to the measurements. */
  readonly mpp?: number;
}

/** The GeoJSON Feature of one nucleus. */
export function nucleusFeature(record: NucleusRecord, options: GeoJsonOptions = {}): object {
  return featureBuilder(options)(record);
}

/** A streaming GeoJSON writer: add(records) any number of times, then finish() (or abort()). */
export function openGeoJsonWriter(path: string, options: GeoJsonOptions = {}): RecordWriter {
  const feature = featureBuilder(options);
  const layout: RecordLayout = {
    header: '{"type":"FeatureCollection","features":[\n',
    separator: ',\n',
    footer: '\n]}\n',
    format: (record) => JSON.stringify(feature(record)),
  };
  return new RecordWriter(path, layout);
}

function featureBuilder(options: GeoJsonOptions): (record: NucleusRecord) => object {
  const fields = nucleusFields(options.mpp).filter((field) => field.measurement !== undefined);
  return (record) => {
    const { outline, nucleusClass } = record;
    if (outline.length === 0) throw new RangeError(`nucleus ${record.id} has no outline`);
    const measurements: Record<string, number> = {};
    for (const field of fields) {
      const value = fieldValue(field, record);
      if (typeof value === 'number') measurements[field.measurement as string] = value;
    }
    return {
      type: 'Feature',
      id: record.id,
      geometry: outline.length === 1 ? { type: 'Polygon', coordinates: outline } : { type: 'MultiPolygon', coordinates: outline.map((ring) => [ring]) },
      properties: {
        objectType: 'detection',
        classification: { name: CLASS_DISPLAY_NAMES[nucleusClass], color: CLASS_COLOURS[nucleusClass] },
        measurements,
      },
    };
  };
}
