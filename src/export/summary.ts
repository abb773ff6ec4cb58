// The JSON summary of one image: nuclei per class, class fractions and densities (per megapixel, and
// per mm² when the pixel size is known). Counts accumulate record by record so that a slide can be
// summarised tile by tile.
import { NUCLEUS_CLASS_NAMES } from '../image/labels.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { checkPixelSize } from './fields.js';
import type { NucleusRecord } from './measure.js';

type ClassName = (typeof NUCLEUS_CLASS_NAMES)[number];
type PerClass<T> = Record<ClassName, T>;

export interface NucleusSummary {
  /** The area the nuclei were counted in. */
  readonly region: { readonly areaPx: number; readonly micronsPerPixel: number | null; readonly areaMm2: number | null };
  readonly counts: PerClass<number> & { readonly total: number };
  /** Share of each class among all nuclei (null when there are none). */
  readonly fractions: PerClass<number | null>;
  readonly densityPerMegapixel: PerClass<number> & { readonly total: number };
  /** Nuclei per mm²; null without a pixel size. */
  readonly densityPerMm2: (PerClass<number> & { readonly total: number }) | null;
}

export class SummaryCounter {
  private readonly counts: [number, number, number] = [0, 0, 0];

  add(records: Iterable<NucleusRecord>): void {
    for (const record of records) this.counts[record.nucleusClass]++;
  }

  /** The summary for a region of areaPx pixels (the image's width × height), mpp in µm per pixel. */
  summary(areaPx: number, mpp?: number): NucleusSummary {
    if (!(Number.isFinite(areaPx) && areaPx > 0)) throw new RangeError(`region area must be a positive number of pixels, got ${areaPx}`);
    if (mpp !== undefined) checkPixelSize(mpp);
    const total = this.counts[0] + this.counts[1] + this.counts[2];
    const perClass = <T>(value: (count: number) => T): PerClass<T> =>
      Object.fromEntries(NUCLEUS_CLASS_NAMES.map((name, c) => [name, value(this.counts[c])])) as PerClass<T>;
    const density = (area: number) => ({ total: total / area, ...perClass((count) => count / area) });
    const areaMm2 = mpp === undefined ? null : (areaPx * mpp * mpp) / 1e6;
    return {
      region: { areaPx, micronsPerPixel: mpp ?? null, areaMm2 },
      counts: { total, ...perClass((count) => count) },
      fractions: perClass((count) => (total === 0 ? null : count / total)),
      densityPerMegapixel: density(areaPx / 1e6),
      densityPerMm2: areaMm2 === null ? null : density(areaMm2),
    };
  }
}

/** Writes the summary as indented JSON, atomically. */
export function writeSummary(path: string, summary: NucleusSummary): void {
  writeFileAtomic(path, (write) => write(`${JSON.stringify(summary, null, 2)}\n`));
}
