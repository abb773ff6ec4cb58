// The assignment solver against scipy's linear_sum_assignment, pair for pair, on matrices full of
// ties (where several assignments are optimal and only the same steps give the same answer).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CostMatrix, linearSumAssignment } from '../../src/eval/hungarian.js';
import { pythonSkipReason, runPython } from '../support/env.js';

interface Problem {
  rows: number;
  cols: number;
  cost: number[];
}

function matrixOf({ rows, cols, cost }: Problem): CostMatrix {
  return new CostMatrix(rows, cols).fill((r, c) => cost[r * cols + c]);
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

test('small matrices: the optimum, in the caller orientation', () => {
  const square = linearSumAssignment(matrixOf({ rows: 3, cols: 3, cost: [4, 1, 3, 2, 0, 5, 3, 2, 2] }));
  assert.deepEqual([...square.rows], [0, 1, 2]);
  assert.deepEqual([...square.cols], [1, 0, 2]);
  const tall = linearSumAssignment(matrixOf({ rows: 3, cols: 2, cost: [5, 9, 1, 8, 7, 2] }));
  assert.deepEqual([...tall.rows], [1, 2]);
  assert.deepEqual([...tall.cols], [0, 1]);
  assert.equal(linearSumAssignment(new CostMatrix(0, 4)).rows.length, 0);
  assert.throws(() => linearSumAssignment(matrixOf({ rows: 1, cols: 2, cost: [NaN, 1] })), /NaN/);
});

test('tie-heavy random matrices agree with scipy pair for pair', { skip: pythonSkipReason('scipy') }, () => {
  const random = seededRandom(12345);
  const problems: Problem[] = [];
  for (let n = 0; n < 60; n++) {
    const rows = 1 + Math.floor(random() * 12);
    const cols = 1 + Math.floor(random() * 12);
    // Few distinct values, zeros most common: the shape of HoVer-Net's −IoU matrices.
    const levels = 1 + Math.floor(random() * 4);
    const cost = Array.from({ length: rows * cols }, () => (random() < 0.6 ? 0 : -Math.floor(random() * levels) / levels));
    problems.push({ rows, cols, cost });
  }
  const expected = JSON.parse(runPython('test/reference/eval/assignment.py', [], JSON.stringify(problems))) as { rows: number[]; cols: number[] }[];
  problems.forEach((problem, index) => {
    const actual = linearSumAssignment(matrixOf(problem));
    assert.deepEqual({ rows: [...actual.rows], cols: [...actual.cols] }, expected[index], `problem ${index} (${problem.rows}×${problem.cols})`);
  });
});
