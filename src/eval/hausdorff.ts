// The symmetric Hausdorff distance between all pixels of two objects (REFERENCE_SPEC §11.2):
// max(directed(A→B), directed(B→A)), directed = max over a ∈ A of the Euclidean distance on
// (row, col) to the nearest b ∈ B. Each directed distance reads an exact squared Euclidean
// distance transform of B (Felzenszwalb & Huttenlocher's separable lower envelope) at A's pixels.
// The transform covers only the joint bounding box: every pixel of B lies in it, so distances at
// A's pixels are exact, and the work is the box's area rather than |A|·|B| or the image's.
import type { PixelObjects } from './objects.js';

const FAR = 1 << 28;

/** Reusable scratch space for Hausdorff distances between objects of (possibly) two sets. */
export class HausdorffMeter {
  private vertical = new Int32Array(0);
  private targetColumns = new Int32Array(0);
  private envelopeColumn = new Int32Array(0);
  private envelopeFrom = new Float64Array(0);

  /** Hausdorff distance between object i of `a` and object j of `b`. */
  between(a: PixelObjects, i: number, b: PixelObjects, j: number): number {
    const top = Math.min(a.top[i], b.top[j]);
    const left = Math.min(a.left[i], b.left[j]);
    const height = Math.max(a.bottom[i], b.bottom[j]) - top + 1;
    const width = Math.max(a.right[i], b.right[j]) - left + 1;
    this.reserve(height, width);
    const there = this.directedSquared(a, i, b, j, top, left, height, width);
    const back = this.directedSquared(b, j, a, i, top, left, height, width);
    return Math.sqrt(Math.max(there, back));
  }

  private reserve(height: number, width: number): void {
    if (this.vertical.length < height * width) this.vertical = new Int32Array(height * width);
    if (this.targetColumns.length < width) {
      this.targetColumns = new Int32Array(width);
      this.envelopeColumn = new Int32Array(width);
      this.envelopeFrom = new Float64Array(width + 1);
    }
  }

  /** Squared directed distance from object i of `from` to object j of `to`, in the given window. */
  private directedSquared(from: PixelObjects, i: number, to: PixelObjects, j: number, top: number, left: number, height: number, width: number): number {
    const vertical = this.vertical;
    vertical.fill(FAR, 0, height * width);
    for (let at = to.pixelStart[j]; at < to.pixelStart[j + 1]; at++) {
      vertical[(to.pixelRow[at] - top) * width + to.pixelCol[at] - left] = 0;
    }
    // Distance to the nearest target pixel in the same column, down then up.
    let targetColumnCount = 0;
    for (let x = 0; x < width; x++) {
      let run = FAR;
      for (let y = 0, at = x; y < height; y++, at += width) {
        if (vertical[at] === 0) run = 0;
        else if (run < FAR) run++;
        vertical[at] = run;
      }
      if (run === FAR) continue;
      this.targetColumns[targetColumnCount++] = x;
      run = FAR;
      for (let y = height - 1, at = y * width + x; y >= 0; y--, at -= width) {
        if (vertical[at] === 0) run = 0;
        else if (run < FAR && ++run < vertical[at]) vertical[at] = run;
      }
    }

    let farthest = 0;
    const end = from.pixelStart[i + 1];
    for (let at = from.pixelStart[i]; at < end; ) {
      const row = from.pixelRow[at] - top;
      const envelopeSize = this.lowerEnvelope(row * width, targetColumnCount);
      // The object's pixels in this row, in increasing column order.
      for (let segment = 0; at < end && from.pixelRow[at] - top === row; at++) {
        const x = from.pixelCol[at] - left;
        while (segment + 1 < envelopeSize && this.envelopeFrom[segment + 1] < x) segment++;
        const c = this.envelopeColumn[segment];
        const dy = vertical[row * width + c];
        const squared = (x - c) * (x - c) + dy * dy;
        if (squared > farthest) farthest = squared;
      }
    }
    return farthest;
  }

  /**
   * Lower envelope of the parabolas (x − c)² + vertical(c)² over the target columns of one row:
   * segment s is parabola envelopeColumn[s], from x = envelopeFrom[s]. Returns the segment count.
   * The breakpoints are ratios of small integers, so comparing them with integer x is exact.
   */
  private lowerEnvelope(rowOffset: number, targetColumnCount: number): number {
    const vertical = this.vertical;
    const columns = this.targetColumns;
    const at = this.envelopeColumn;
    const from = this.envelopeFrom;
    // Parabola c as a function of x is x² − 2cx + base(c).
    const base = (c: number): number => {
      const dy = vertical[rowOffset + c];
      return dy * dy + c * c;
    };
    let k = 0;
    at[0] = columns[0];
    from[0] = -Infinity;
    for (let n = 1; n < targetColumnCount; n++) {
      const q = columns[n];
      const baseQ = base(q);
      let s = (baseQ - base(at[k])) / (2 * (q - at[k]));
      while (s <= from[k]) {
        k--;
        s = (baseQ - base(at[k])) / (2 * (q - at[k]));
      }
      k++;
      at[k] = q;
      from[k] = s;
    }
    return k + 1;
  }
}
