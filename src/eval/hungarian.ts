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

/** Assigns min(rowCount, colCount) rows to distinct columns minimising the summed cost. */
export function linearSumAssignment(cost: Float64Array, rowCount: number, colCount: number): Assignment {
  if (cost.length !== rowCount * colCount) throw new RangeError(`cost matrix ${rowCount}×${colCount} needs ${rowCount * colCount} values, got ${cost.length}`);
  if (rowCount === 0 || colCount === 0) return { rows: new Int32Array(0), cols: new Int32Array(0) };
  for (const value of cost) if (Number.isNaN(value) || value === -Infinity) throw new RangeError('cost matrix holds NaN or -Infinity');

  // The algorithm wants no more rows than columns; a tall matrix is solved transposed.
  const transposed = colCount < rowCount;
  const nr = transposed ? colCount : rowCount;
  const nc = transposed ? rowCount : colCount;
  const c = transposed ? transpose(cost, rowCount, colCount) : cost;

  const u = new Float64Array(nr);
  const v = new Float64Array(nc);
  const shortestPathCosts = new Float64Array(nc);
  const path = new Int32Array(nc).fill(-1);
  const col4row = new Int32Array(nr).fill(-1);
  const row4col = new Int32Array(nc).fill(-1);
  const visitedRows = new Uint8Array(nr);
  const visitedCols = new Uint8Array(nc);
  const remaining = new Int32Array(nc);

  for (let curRow = 0; curRow < nr; curRow++) {
    // Dijkstra over the reduced costs from curRow until it reaches an unassigned column.
    let minVal = 0;
    let numRemaining = nc;
    // Reverse order, as scipy: a constant cost matrix then yields the identity assignment.
    for (let it = 0; it < nc; it++) remaining[it] = nc - it - 1;
    visitedRows.fill(0);
    visitedCols.fill(0);
    shortestPathCosts.fill(Infinity);
    let sink = -1;
    let i = curRow;
    while (sink === -1) {
      let index = -1;
      let lowest = Infinity;
      visitedRows[i] = 1;
      for (let it = 0; it < numRemaining; it++) {
        const j = remaining[it];
        const r = minVal + c[i * nc + j] - u[i] - v[j];
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
      visitedCols[j] = 1;
      remaining[index] = remaining[--numRemaining];
    }

    u[curRow] += minVal;
    for (let r = 0; r < nr; r++) if (visitedRows[r] && r !== curRow) u[r] += minVal - shortestPathCosts[col4row[r]];
    for (let j = 0; j < nc; j++) if (visitedCols[j]) v[j] -= minVal - shortestPathCosts[j];

    let j = sink;
    for (;;) {
      const r = path[j];
      row4col[j] = r;
      const previous = col4row[r];
      col4row[r] = j;
      j = previous;
      if (r === curRow) break;
    }
  }

  if (!transposed) return { rows: Int32Array.from({ length: nr }, (_, r) => r), cols: col4row };
  // Back in the caller's orientation, sorted by row as scipy returns them.
  const order = Array.from({ length: nr }, (_, k) => k).sort((a, b) => col4row[a] - col4row[b]);
  return { rows: Int32Array.from(order, (k) => col4row[k]), cols: Int32Array.from(order) };
}

function transpose(matrix: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(matrix.length);
  for (let r = 0; r < rows; r++) for (let col = 0; col < cols; col++) out[col * rows + r] = matrix[r * cols + col];
  return out;
}
