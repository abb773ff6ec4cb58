// Memory management: 2,000 training steps of a small network keep resident memory and the number of
// live native tensors flat; scopes, dispose and the garbage collector free what they should.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  Adam, BatchNorm2d, Conv2d, F, keep, Module, ones, randint, randn, scope, setNumThreads, zeros, type Tensor,
} from '../../src/engine/index.js';
import { native } from '../../src/engine/native.js';

class TinyNet extends Module {
  readonly conv1 = this.registerModule('conv1', new Conv2d(3, 16, 3, { padding: 1 }));
  readonly bn1 = this.registerModule('bn1', new BatchNorm2d(16));
  readonly conv2 = this.registerModule('conv2', new Conv2d(16, 5, 3, { padding: 1 }));

  forward(x: Tensor): Tensor {
    // relu_ and BatchNorm's in-place counter are the paths where a leaked handle once kept graphs alive.
    return this.conv2.forward(F.relu_(this.bn1.forward(this.conv1.forward(x))));
  }
}

test('2,000 training steps: resident memory grows by less than 50 MB after warm-up', () => {
  setNumThreads(1);
  const net = new TinyNet();
  const optimizer = new Adam(net.namedParameters(), { lr: 1e-3 });
  const step = (): number =>
    scope(() => {
      const x = randn([4, 3, 32, 32]);
      const target = randint(0, 5, [4, 32, 32]);
      optimizer.zeroGrad();
      const loss = F.nllLoss(F.logSoftmax(net.forward(x), 1), target);
      loss.backward();
      optimizer.step();
      return loss.item();
    });
  for (let i = 0; i < 200; i++) step();
  global.gc?.();
  const warm = process.memoryUsage().rss;
  const liveTensors = native.liveTensors();
  for (let i = 0; i < 1800; i++) {
    const loss = step();
    assert.ok(Number.isFinite(loss));
  }
  global.gc?.();
  const growth = (process.memoryUsage().rss - warm) / 2 ** 20;
  assert.ok(growth < 50, `resident memory grew by ${growth.toFixed(1)} MB over 1,800 steps`);
  assert.equal(native.liveTensors(), liveTensors, 'live native tensors after 1,800 more steps');
});

/** Runs the garbage collector until pending FinalizationRegistry callbacks have run. */
async function collectGarbage(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    global.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('tensors in no scope are freed by the garbage collector once unreachable', { skip: global.gc ? false : 'needs --expose-gc' }, async () => {
  await collectGarbage();
  const before = native.liveTensors();
  const survivor = ones([2]);
  (() => {
    for (let i = 0; i < 1000; i++) ones([2]).add(1);
  })();
  assert.ok(native.liveTensors() >= before + 1000);
  await collectGarbage();
  assert.equal(native.liveTensors(), before + 1);
  assert.equal(survivor.sum().item(), 2);
});

test('setData hands the source tensor over: collecting the source does not free it', { skip: global.gc ? false : 'needs --expose-gc' }, async () => {
  const target = ones([3]);
  (() => target.setData(ones([3]).mul(4)))();
  await collectGarbage();
  assert.deepEqual([...target.toFloat32Array()], [4, 4, 4]);
  const kept = scope(() => keep(zeros([2]).add(5)));
  await collectGarbage();
  assert.deepEqual([...kept.toFloat32Array()], [5, 5]);
});

test('a scope leaves no live tensor behind but what it returns', () => {
  const before = native.liveTensors();
  const result = scope(() => {
    const a = randn([4, 4]).requiresGrad_();
    const loss = a.mul(a).sum();
    loss.backward();
    return a.grad!.mul(2);
  });
  assert.equal(native.liveTensors(), before + 1);
  result.dispose();
  assert.equal(native.liveTensors(), before);
});
