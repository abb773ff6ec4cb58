// Minimum-cost assignment on a dense rectangular cost matrix: the shortest-augmenting-path
// Hungarian algorithm of Crouse (IEEE TAES 2016), O(n²m), step for step as scipy's
// linear_sum_assignment implements it. Following scipy exactly matters: HoVer-Net's AJI+ and F_d
// (ANCHORS §2) are defined by what linear_sum_assignment returns, and where several assignments
// are optimal (tied IoUs of a split nucleus, say) the same steps pick the same one.

export interface Assignment {
  /** Row of each assigned pair. */
  readonly rows: Int32Array;
  /** Column of each assigned pair; min(rows, cols) pairs in all. */
  readonly cols: Int32Array;
}

/**
 * A dense cost matrix, stored as the solver reads it: the algorithm wants no more rows than
 * columns, so a tall matrix is stored transposed (writing it transposed as it is filled avoids a
 * cache-hostile transposition afterwards).
 */
export class CostMatrix {
  readonly transposed: boolean;
  readonly values: Float64Array;

  constructor(
    readonly rowCount: number,
    readonly colCount: number,
  ) {
    this.transposed = colCount < rowCount;
    this.values = new Float64Array(rowCount * colCount);
  }

  set(row: number, col: number, cost: number): void {
    this.values[this.transposed ? col * this.rowCount + row : row * this.colCount + col] = cost;
  }

  /** Sets every entry to costOf(row, col), visiting them in storage order. */
  fill(costOf: (row: number, col: number) => number): this {
    const { rowCount, colCount, values } = this;
    if (this.transposed) {
      for (let col = 0, at = 0; col < colCount; col++) for (let row = 0; row < rowCount; row++) values[at++] = costOf(row, col);
    } else {
      for (let row = 0, at = 0; row < rowCount; row++) for (let col = 0; col < colCount; col++) values[at++] = costOf(row, col);
    }
    return this;
  }
}

/** Assigns min(rowCount, colCount) rows to distinct columns minimising the summed cost. */
export function linearSumAssignment(matrix: CostMatrix): Assignment {
  const { rowCount, colCount, transposed, values } = matrix;
  if (rowCount === 0 || colCount === 0) return { rows: new Int32Array(0), cols: new Int32Array(0) };
  checkCosts(values);
  const col4row = transposed ? new ShortestAugmentingPaths(values, colCount, rowCount).solve() : new ShortestAugmentingPaths(values, rowCount, colCount).solve();
  if (!transposed) return { rows: Int32Array.from({ length: col4row.length }, (_, r) => r), cols: col4row };
  // Back in the caller's orientation, sorted by row as scipy returns them.
  const order = Array.from({ length: col4row.length }, (_, k) => k).sort((a, b) => col4row[a] - col4row[b]);
  return { rows: Int32Array.from(order, (k) => col4row[k]), cols: Int32Array.from(order) };
}

/** The solver's state; variable names follow scipy's rectangular_lsap.cpp. */
class ShortestAugmentingPaths {
  private readonly col4row: Int32Array;
  private readonly row4col: Int32Array;
  private readonly u: Float64Array;
  private readonly v: Float64Array;
  private readonly shortestPathCosts: Float64Array;
  private readonly path: Int32Array;
  private readonly remaining: Int32Array;
  // The rows and columns a search reached (scipy's SR and SC), as lists.
  private readonly visitedRows: Int32Array;
  private readonly visitedCols: Int32Array;
  private visitedRowCount = 0;
  private visitedColCount = 0;

  constructor(
    private readonly cost: Float64Array,
    private readonly rowCount: number,
    private readonly colCount: number,
  ) {
    this.col4row = new Int32Array(rowCount).fill(-1);
    this.row4col = new Int32Array(colCount).fill(-1);
    this.u = new Float64Array(rowCount);
    this.v = new Float64Array(colCount);
    this.shortestPathCosts = new Float64Array(colCount);
    this.path = new Int32Array(colCount).fill(-1);
    this.remaining = new Int32Array(colCount);
    this.visitedRows = new Int32Array(rowCount);
    this.visitedCols = new Int32Array(colCount);
  }

  /** The column assigned to each row. */
  solve(): Int32Array {
    for (let row = 0; row < this.rowCount; row++) this.assign(row);
    return this.col4row;
  }

  /** Adds curRow to the assignment: shortest augmenting path, dual update, augmentation. */
  private assign(curRow: number): void {
    const { u, v, shortestPathCosts, col4row, row4col, path, visitedRows, visitedCols } = this;
    const [sink, minVal] = this.augmentingPath(curRow);

    // Each row and column is reached at most once per search; the first row reached is curRow.
    u[curRow] += minVal;
    for (let n = 1; n < this.visitedRowCount; n++) u[visitedRows[n]] += minVal - shortestPathCosts[col4row[visitedRows[n]]];
    for (let n = 0; n < this.visitedColCount; n++) v[visitedCols[n]] -= minVal - shortestPathCosts[visitedCols[n]];

    let j = sink;
    for (;;) {
      const i = path[j];
      row4col[j] = i;
      const previous = col4row[i];
      col4row[i] = j;
      j = previous;
      if (i === curRow) break;
    }
  }

  /** Dijkstra over the reduced costs from row i until an unassigned column: [sink, its cost]. */
  private augmentingPath(i: number): [number, number] {
    const { cost, colCount: nc, u, v, shortestPathCosts, path, row4col, remaining, visitedRows, visitedCols } = this;
    let minVal = 0;
    let numRemaining = nc;
    // Reverse order, as scipy: a constant cost matrix then yields the identity assignment.
    for (let it = 0; it < nc; it++) remaining[it] = nc - it - 1;
    shortestPathCosts.fill(Infinity);
    this.visitedRowCount = 0;
    this.visitedColCount = 0;
    let sink = -1;
    while (sink === -1) {
      let index = -1;
      let lowest = Infinity;
      visitedRows[this.visitedRowCount++] = i;
      const rowOffset = i * nc;
      const ui = u[i];
      for (let it = 0; it < numRemaining; it++) {
        const j = remaining[it];
        const r = minVal + cost[rowOffset + j] - ui - v[j];
        if (r < shortestPathCosts[j]) {
          path[j] = i;
          shortestPathCosts[j] = r;
        }
        // Among equal minima prefer a column that ends the path.
        if (shortestPathCosts[j] < lowest || (shortestPathCosts[j] === lowest && row4col[j] === -1)) {
          lowest = shortestPathCosts[j];
          index = it;
        }
      }
      minVal = lowest;
      if (minVal === Infinity) throw new RangeError('cost matrix admits no finite assignment');
      const j = remaining[index];
      if (row4col[j] === -1) sink = j;
      else i = row4col[j];
      visitedCols[this.visitedColCount++] = j;
      remaining[index] = remaining[--numRemaining];
    }
    return [sink, minVal];
  }
}

// Separate from linearSumAssignment so that its hot loop does not get that function optimised on
// stack replacement before the rest of it has run (which costs a deoptimisation every call).
function checkCosts(cost: Float64Array): void {
  for (let k = 0; k < cost.length; k++) {
    if (Number.isNaN(cost[k]) || cost[k] === -Infinity) throw new RangeError('cost matrix holds NaN or -Infinity');
  }
}
