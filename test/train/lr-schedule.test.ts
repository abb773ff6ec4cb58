// The learning-rate schedules: the paper's constant rate and the cosine annealing for short runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { resolveConfig } from '../../src/train/config.js';
import { learningRateAt } from '../../src/train/lr-schedule.js';

test('constant keeps the base rate; cosine falls from it to 1 % along a half cosine', () => {
  for (const step of [0, 17, 99]) assert.equal(learningRateAt('constant', 3e-4, step, 100), 3e-4);
  const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-12;
  assert.ok(close(learningRateAt('cosine', 3e-4, 0, 100), 3e-4));
  assert.ok(close(learningRateAt('cosine', 3e-4, 50, 100), 3e-4 * (0.01 + 0.99 * 0.5)));
  assert.ok(close(learningRateAt('cosine', 3e-4, 100, 100), 3e-6));
  const rates = Array.from({ length: 101 }, (_, step) => learningRateAt('cosine', 1, step, 100));
  assert.ok(rates.every((rate, i) => i === 0 || rate < rates[i - 1]!), 'strictly decreasing');
});

test('a training configuration names an unknown schedule', () => {
  assert.throws(() => resolveConfig({ data: 'd', out: 'o', lrSchedule: 'step' as never }), /lrSchedule must be constant or cosine, got step/);
  assert.equal(resolveConfig({ data: 'd', out: 'o' }).lrSchedule, 'constant');
});
