// The labelling steps of the post-processing (REFERENCE_SPEC §10.4 steps 3–9) on runs rather than
// on whole rasters: a run is a maximal horizontal span of pixels of one interior class (1 tumor,
// 2 lymphocyte, 3 stroma). Nuclei cover a small part of an image, so the three connected-component
// labellings below touch thousands of runs instead of every pixel, and no intermediate image is
// allocated (on virtual machines the page faults of fresh image-sized buffers cost more than the
// arithmetic). The result equals scikit-image's raster computation exactly:
//   1. 8-connected components of all interior pixels; each takes the class most of its pixels
//      have (exact counts, ties to the lower class)
//   2. within each class, 4-connected objects under minSize pixels are dropped
//      (remove_small_objects with connectivity 1)
//   3. within each class, 8-connected objects are numbered 1..K in raster order of their first
//      pixel, and encoded as idForClass does (tumor 3k, lymphocyte 3k−2, stroma 3k−1)
//   4. the encoded map is dilated by the 3×3 cross (grey dilation: the largest id wins)
import { idForClass, type NucleusClass } from '../image/labels.js';
import { createRaster, type LabelMap } from '../image/raster.js';

/** Runs of equal nonzero class, row by row; rows are added top to bottom. */
export class ClassRuns {
  #rowFirstRun: number[] = [0];
  #starts = new Int32Array(1024);
  #ends = new Int32Array(1024);
  #classes = new Uint8Array(1024);
  #count = 0;

  constructor(readonly width: number) {}

  /** Appends the next row of the argmax map: 1..3 are the interior classes, anything else is not an interior. */
  addRow(row: Uint8Array): void {
    const width = this.width;
    let x = 0;
    while (x < width) {
      const c = row[x]!;
      if (c === 0 || c > 3) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && row[x] === c) x++;
      if (this.#count === this.#starts.length) this.#grow();
      this.#starts[this.#count] = start;
      this.#ends[this.#count] = x;
      this.#classes[this.#count] = c;
      this.#count++;
    }
    this.#rowFirstRun.push(this.#count);
  }

  get height(): number {
    return this.#rowFirstRun.length - 1;
  }

  /** Steps 1–4 above: the classified, dilated label map (paper encoding). */
  nuclei(minSize: number): LabelMap {
    const { width, height } = this;
    const count = this.#count;
    const starts = this.#starts;
    const ends = this.#ends;
    const rowFirstRun = this.#rowFirstRun;

    // 1. Components of all interiors (8-connected), each given its majority class.
    const components = this.#union(1, () => true);
    const votes = new Float64Array(count * 3);
    for (let run = 0; run < count; run++) votes[components[run]! * 3 + this.#classes[run]! - 1] += ends[run]! - starts[run]!;
    const classes = new Uint8Array(count);
    for (let run = 0; run < count; run++) {
      const root = components[run]! * 3;
      let best = 0;
      for (let c = 1; c < 3; c++) if (votes[root + c]! > votes[root + best]!) best = c;
      classes[run] = 1 + best;
    }

    // 2. Small 4-connected objects of each class go.
    const pieces = this.#union(0, (a, b) => classes[a] === classes[b]);
    const sizes = new Float64Array(count);
    for (let run = 0; run < count; run++) sizes[pieces[run]!] += ends[run]! - starts[run]!;
    for (let run = 0; run < count; run++) if (sizes[pieces[run]!]! < minSize) classes[run] = 0;

    // 3. 8-connected objects of each class, numbered in raster order (a root is its object's first run).
    const objects = this.#union(1, (a, b) => classes[a] !== 0 && classes[a] === classes[b]);
    const ids = new Int32Array(count);
    const perClass = [0, 0, 0];
    for (let run = 0; run < count; run++) {
      if (classes[run] === 0) continue;
      const root = objects[run]!;
      if (root === run) {
        const nucleusClass = (classes[run]! - 1) as NucleusClass;
        ids[run] = idForClass(nucleusClass, ++perClass[nucleusClass]!);
      } else {
        ids[run] = ids[root]!;
      }
    }

    // 4. Painted dilated: each run raises its own row one pixel wider on both sides and the rows
    // above and below over its own span.
    const out = new Int32Array(width * height);
    const raise = (row: number, from: number, to: number, id: number): void => {
      const offset = row * width;
      for (let x = Math.max(from, 0), end = Math.min(to, width); x < end; x++) if (out[offset + x]! < id) out[offset + x] = id;
    };
    for (let y = 0; y < height; y++) {
      for (let run = rowFirstRun[y]!; run < rowFirstRun[y + 1]!; run++) {
        const id = ids[run]!;
        if (id === 0) continue;
        raise(y, starts[run]! - 1, ends[run]! + 1, id);
        if (y > 0) raise(y - 1, starts[run]!, ends[run]!, id);
        if (y + 1 < height) raise(y + 1, starts[run]!, ends[run]!, id);
      }
    }
    return createRaster(out, width, height);
  }

  /**
   * Union-find over the runs: runs that touch — side by side in a row, or in consecutive rows
   * overlapping by at least 1 − reach columns (reach 0: 4-connected, 1: 8-connected) — and that
   * `joins` accepts are merged. Returns each run's root, the smallest run index of its set (the
   * set's first run in raster order).
   */
  #union(reach: 0 | 1, joins: (a: number, b: number) => boolean): Int32Array {
    const count = this.#count;
    const starts = this.#starts;
    const ends = this.#ends;
    const rowFirstRun = this.#rowFirstRun;
    const parent = new Int32Array(count);
    for (let run = 0; run < count; run++) parent[run] = run;
    const find = (run: number): number => {
      while (parent[run] !== run) {
        parent[run] = parent[parent[run]!]!;
        run = parent[run]!;
      }
      return run;
    };
    const merge = (a: number, b: number): void => {
      const ra = find(a);
      const rb = find(b);
      if (ra < rb) parent[rb] = ra;
      else if (rb < ra) parent[ra] = rb;
    };
    for (let y = 0; y < this.height; y++) {
      const first = rowFirstRun[y]!;
      const last = rowFirstRun[y + 1]!;
      for (let run = first + 1; run < last; run++) {
        if (ends[run - 1] === starts[run] && joins(run - 1, run)) merge(run - 1, run);
      }
      if (y === 0) continue;
      let candidate = rowFirstRun[y - 1]!;
      for (let run = first; run < last; run++) {
        const start = starts[run]!;
        const end = ends[run]!;
        // Runs above that end before this one's reach cannot touch later runs of this row either.
        while (candidate < first && ends[candidate]! + reach <= start) candidate++;
        for (let other = candidate; other < first && starts[other]! < end + reach; other++) {
          if (joins(other, run)) merge(other, run);
        }
      }
    }
    for (let run = 0; run < count; run++) parent[run] = find(run);
    return parent;
  }

  #grow(): void {
    const size = 2 * this.#starts.length;
    const grown = <T extends Int32Array | Uint8Array>(array: T, larger: T): T => {
      larger.set(array);
      return larger;
    };
    this.#starts = grown(this.#starts, new Int32Array(size));
    this.#ends = grown(this.#ends, new Int32Array(size));
    this.#classes = grown(this.#classes, new Uint8Array(size));
  }
}
