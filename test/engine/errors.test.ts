// Misuse gives JS exceptions with clear messages, and the process goes on.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { F, Module, ones, tensor, zeros } from '../../src/engine/index.js';

test('a shape mismatch names the sizes', () => {
  assert.throws(() => ones([2, 3]).add(ones([4, 3])), /add: The size of tensor a \(2\) must match the size of tensor b \(4\)/);
  assert.throws(() => ones([2, 3]).matmul(ones([2, 3])), /matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)/);
  assert.throws(() => F.conv2d(ones([1, 4, 8, 8]), ones([2, 3, 3, 3])), /conv2d: .*expected input\[1, 4, 8, 8\] to have 3 channels, but got 4 channels/);
});

test('a wrong dtype is reported', () => {
  assert.throws(() => F.conv2d(ones([1, 3, 8, 8], { dtype: 'int64' }), ones([2, 3, 3, 3])), /conv2d: .*(Long|type)/);
  assert.throws(() => F.nllLoss(ones([1, 5, 2, 2]), ones([1, 2, 2])), /nllLoss: .*(Float|Long|scalar type)/i);
  assert.throws(() => tensor(new Float32Array(4), [4], { dtype: 'int64' }), /a Float32Array cannot hold int64 elements/);
});

test('using a disposed tensor throws', () => {
  const t = ones([2]);
  t.dispose();
  assert.throws(() => t.add(1), /this tensor was disposed/);
  assert.throws(() => t.shape, /this tensor was disposed/);
});

test('out-of-range indices and dimensions are reported', () => {
  const t = zeros([4, 5]);
  assert.throws(() => t.narrow(0, 3, 2), /narrow: start \(3\) \+ length \(2\) exceeds dimension size \(4\)/);
  assert.throws(() => t.select(1, 7), /select: .*index 7 out of range/);
  assert.throws(() => t.sum([2]), /sum: Dimension out of range/);
  assert.throws(() => t.indexSelect(0, tensor([9], [1], { dtype: 'int64' })), /indexSelect: .*(out of range|index)/i);
  assert.throws(() => t.size(3), /dimension 3 is out of range for a 2-d tensor/);
});

test('bad arguments to the native layer are rejected, not crashed on', () => {
  assert.throws(() => zeros([2, -1]), /invalid shape \[2, -1\]/);
  assert.throws(() => tensor([1, 2, 3], [2, 2]), /3 values cannot fill shape \[2, 2\]/);
  assert.throws(() => ones([2]).to('tpu' as 'cpu'), /unknown dtype 'tpu'/);
  assert.throws(() => F.dropout(ones([2]), 1.5, true), /dropout probability must lie in \[0, 1\], got 1.5/);
});

test('a state dict that does not fit names each problem', () => {
  class Tiny extends Module {
    readonly w = this.registerParameter('w', zeros([3]));
  }
  const tiny = new Tiny();
  assert.throws(() => tiny.loadStateDict(new Map([['w', zeros([4])], ['extra', zeros([1])]])), /'w' has shape \[4\], the model expects \[3\]; unexpected 'extra'/);
  assert.throws(() => tiny.loadStateDict(new Map()), /missing 'w'/);
});

test('the process goes on after errors', () => {
  for (let i = 0; i < 100; i++) assert.throws(() => ones([2]).add(ones([3])));
  assert.equal(ones([2]).add(1).sum().item(), 4);
});
