// The export tests' references: scikit-image regionprops and rgb2hed (test/reference/export/
// regionprops_reference.py) and GDAL/OGR reading GeoJSON with GEOS validity checks
// (test/reference/export/geojson_check.py), both through Debian's Python.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabelMap, Raster } from '../../src/image/raster.js';
import { pythonSkipReason, runPython } from '../support/env.js';

export const skipSkimage = pythonSkipReason('skimage', 'scipy');
export const skipGdal = pythonSkipReason('osgeo.ogr');

export interface RegionReference {
  label: number;
  area: number;
  centroid: [number, number];
  perimeter: number;
  equivalent_diameter: number;
  eccentricity: number;
  solidity: number;
  filled_area: number;
  mean_haematoxylin?: number;
  mean_eosin?: number;
}

/** skimage regionprops of every region (and, with an image, rgb2hed of it). */
export function regionReference(labels: LabelMap, image?: Raster<Uint8Array>): { regions: RegionReference[]; hed?: Float64Array } {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-export-'));
  try {
    const labelsPath = join(dir, 'labels.bin');
    writeFileSync(labelsPath, new Uint8Array(labels.data.buffer, labels.data.byteOffset, labels.data.byteLength));
    const imagePath = image ? join(dir, 'image.bin') : null;
    if (imagePath && image) writeFileSync(imagePath, image.data);
    const hedPath = image ? join(dir, 'hed.bin') : null;
    const job = { labels: labelsPath, image: imagePath, shape: [labels.height, labels.width], hed_output: hedPath };
    const regions = JSON.parse(runPython('test/reference/export/regionprops_reference.py', [], JSON.stringify(job))) as RegionReference[];
    if (!hedPath) return { regions };
    const bytes = readFileSync(hedPath);
    return { regions, hed: new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface GdalFeature {
  fid: number;
  type: string;
  valid: boolean;
  simple: boolean;
  area: number;
  rings: { closed: boolean; points: number; signed_area: number }[];
  properties: Record<string, unknown>;
}

export interface GdalReport {
  driver: string;
  count: number;
  raw_count: number;
  features: GdalFeature[];
}

/** What GDAL/OGR makes of a GeoJSON file. */
export function readWithGdal(path: string): GdalReport {
  return JSON.parse(runPython('test/reference/export/geojson_check.py', [path])) as GdalReport;
}
