// The engine against PyTorch 1.13 (the same libtorch) on a small network with identical weights:
// outputs, gradients of every parameter, and ten Adam steps.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  Adam, BatchNorm2d, cat, Conv2d, ConvTranspose2d, F, loadStateDictFile, Module, scope, setNumThreads, type Tensor,
} from '../../src/engine/index.js';
import { pythonSkipReason, runPython } from '../support/env.js';

class SmallNet extends Module {
  readonly conv1 = this.registerModule('conv1', new Conv2d(3, 8, 3, { padding: 1 }));
  readonly bn1 = this.registerModule('bn1', new BatchNorm2d(8));
  readonly conv2 = this.registerModule('conv2', new Conv2d(8, 16, 3, { padding: 1 }));
  readonly bn2 = this.registerModule('bn2', new BatchNorm2d(16));
  readonly up = this.registerModule('up', new ConvTranspose2d(16, 8, 2, { stride: 2 }));
  readonly head = this.registerModule('head', new Conv2d(16, 5, 1));

  forward(x: Tensor): Tensor {
    const skip = F.relu(this.bn1.forward(this.conv1.forward(x)));
    const y = F.relu(this.bn2.forward(this.conv2.forward(F.maxPool2d(skip, 2))));
    return this.head.forward(cat([this.up.forward(y), skip], 1));
  }
}

function weightedNll(logits: Tensor, target: Tensor, weight: Tensor): Tensor {
  return F.nllLoss(F.logSoftmax(logits, 1), target, weight, 'mean');
}

/** max |a − b| / max |b|: the error relative to the reference's scale. */
function relativeError(actual: Tensor, expected: Tensor): number {
  const a = actual.toFloat32Array();
  const b = expected.toFloat32Array();
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

test('a small network matches PyTorch: outputs, gradients, ten Adam steps', { skip: pythonSkipReason('torch') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-parity-'));
  try {
    setNumThreads(2);
    runPython('test/reference/engine/small_net.py', [dir, '2']);
    const inputs = loadStateDictFile(join(dir, 'inputs.pth'));
    const expected = loadStateDictFile(join(dir, 'results.pth'));
    const x = inputs.get('x')!;
    const target = inputs.get('target')!;
    const weight = inputs.get('weight')!;
    const net = new SmallNet();
    net.loadStateDict(inputs, { strict: false });

    scope(() => {
      const logits = net.forward(x);
      const loss = weightedNll(logits, target, weight);
      loss.backward();
      assert.ok(relativeError(logits, expected.get('logits')!) <= 1e-5, 'logits differ');
      assert.ok(relativeError(loss, expected.get('loss')!) <= 1e-5, 'loss differs');
      for (const [name, param] of net.namedParameters()) {
        const error = relativeError(param.grad!, expected.get(`grad.${name}`)!);
        assert.ok(error <= 1e-5, `gradient of ${name} differs: relative error ${error}`);
      }
    });

    net.loadStateDict(inputs, { strict: false });
    const optimizer = new Adam(net.namedParameters(), { lr: 1e-2, betas: [0.9, 0.99], weightDecay: 1e-4 });
    for (let step = 0; step < 10; step++) {
      scope(() => {
        optimizer.zeroGrad();
        weightedNll(net.forward(x), target, weight).backward();
        optimizer.step();
      });
    }
    for (const [name, value] of net.stateDict()) {
      const error = relativeError(value, expected.get(`final.${name}`)!);
      assert.ok(error <= 1e-5, `${name} after ten Adam steps differs: relative error ${error}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
