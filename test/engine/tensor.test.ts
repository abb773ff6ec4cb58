// Tensor semantics: dtypes, copies, scopes, autograd and autocast, random generators, modules,
// serialization.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  autocast, BatchNorm2d, Conv2d, cudaAvailable, F, Generator, getDefaultRngState, keep, loadStateDictFile, manualSeed,
  noGrad, ones, rand, randn, readSafetensors, scope, Sequential, setDefaultRngState, setNumThreads, getNumThreads, defaultThreadCount,
  tensor, writeSafetensors, zeros, ReLU, type Tensor,
} from '../../src/engine/index.js';

test('typed arrays round-trip through every dtype', () => {
  assert.deepEqual([...tensor([1.5, -2, 3], [3]).toTypedArray()], [1.5, -2, 3]);
  assert.deepEqual([...tensor(new Int32Array([7, -8]), [2]).toTypedArray()], [7, -8]);
  assert.deepEqual([...tensor(new BigInt64Array([5n, -6n]), [2]).toTypedArray()], [5n, -6n]);
  assert.deepEqual([...tensor(new Uint8Array([0, 255]), [2]).toTypedArray()], [0, 255]);
  assert.deepEqual([...tensor([1, 0, 1], [3], { dtype: 'bool' }).toTypedArray()], [1, 0, 1]);
  const bf16 = tensor([1, 0.5, -3.25], [3]).to('bfloat16');
  assert.equal(bf16.dtype, 'bfloat16');
  assert.deepEqual([...bf16.toTypedArray()], [0x3f80, 0x3f00, 0xc050]);
  assert.deepEqual([...bf16.toFloat32Array()], [1, 0.5, -3.25]);
  assert.deepEqual([...tensor([2], [1]).to('float16').toTypedArray()], [0x4000]);
  assert.deepEqual(tensor(new Float32Array(6), [2, 3]).shape, [2, 3]);
});

test('integral numbers keep integer tensors integral; fractions promote to float', () => {
  const ints = tensor(new BigInt64Array([1n, 2n]), [2]);
  assert.equal(ints.add(1).dtype, 'int64');
  assert.equal(ints.add(0.5).dtype, 'float32');
  assert.equal(ones([2], { dtype: 'bfloat16' }).mul(3).dtype, 'bfloat16');
});

test('scope() disposes intermediates and keeps returned and kept tensors', () => {
  let inner: Tensor | undefined;
  let kept: Tensor | undefined;
  const result = scope(() => {
    inner = ones([2]).add(1);
    kept = keep(ones([3]));
    return { sum: inner.sum(), list: [inner.mul(2)] };
  });
  assert.equal(inner!.isDisposed, true);
  assert.equal(kept!.isDisposed, false);
  assert.equal(result.sum.item(), 4);
  assert.deepEqual([...result.list[0]!.toFloat32Array()], [4, 4]);
  const outer = scope(() => scope(() => ones([1])));
  assert.equal(outer.isDisposed, false);
  assert.throws(() => scope(() => { ones([1]); throw new Error('boom'); }), /boom/);
});

test('views share storage; clone copies; in-place ops write through views', () => {
  const base = zeros([2, 3]);
  const row = base.select(0, 1);
  row.fill_(5);
  assert.deepEqual([...base.toFloat32Array()], [0, 0, 0, 5, 5, 5]);
  const copy = base.clone();
  copy.zero_();
  assert.equal(base.sum().item(), 15);
  assert.ok(base.permute(1, 0).contiguous().isContiguous());
  const nchw = rand([1, 4, 3, 3]);
  const cl = nchw.contiguous(true);
  assert.ok(cl.isContiguous(true) && !cl.isContiguous(false));
  assert.deepEqual([...cl.toFloat32Array()], [...nchw.toFloat32Array()], 'channels-last keeps logical order');
});

test('autograd: gradients, accumulation, detach, no-grad', () => {
  const x = tensor([1, 2, 3], [3]).requiresGrad_();
  x.mul(x).sum().backward();
  assert.deepEqual([...x.grad!.toFloat32Array()], [2, 4, 6]);
  x.mul(3).sum().backward();
  assert.deepEqual([...x.grad!.toFloat32Array()], [5, 7, 9], 'gradients accumulate');
  x.grad = null;
  assert.equal(x.grad, null);
  const y = noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(x.mul(2).detach().requiresGrad, false);
  assert.throws(() => tensor([1], [1]).backward(), /does not require grad/);
});

test('autocast runs convolutions in bfloat16 on the CPU and restores the previous state', () => {
  const conv = new Conv2d(3, 4, 3);
  const x = randn([1, 3, 8, 8]);
  const [inside, nested] = autocast('cpu', 'bfloat16', () => [conv.forward(x), autocast('cpu', 'bfloat16', () => conv.forward(x))]);
  assert.equal(inside!.dtype, 'bfloat16');
  assert.equal(nested!.dtype, 'bfloat16');
  assert.equal(conv.forward(x).dtype, 'float32');
  const reference = conv.forward(x).toFloat32Array();
  const low = inside!.toFloat32Array();
  for (let i = 0; i < reference.length; i++) assert.ok(Math.abs(low[i]! - reference[i]!) < 0.05 * (1 + Math.abs(reference[i]!)));
});

test('seeded generators are reproducible and their state can be saved and restored', () => {
  const g1 = new Generator(42);
  const g2 = new Generator(42);
  assert.deepEqual([...rand([5], { generator: g1 }).toFloat32Array()], [...rand([5], { generator: g2 }).toFloat32Array()]);
  const state = g1.getState();
  const next = rand([5], { generator: g1 }).toFloat32Array();
  g1.setState(state);
  assert.deepEqual([...rand([5], { generator: g1 }).toFloat32Array()], [...next]);

  manualSeed(1);
  const saved = getDefaultRngState();
  const a = randn([4]).toFloat32Array();
  setDefaultRngState(saved);
  assert.deepEqual([...randn([4]).toFloat32Array()], [...a]);
  manualSeed(1);
  assert.deepEqual([...randn([4]).toFloat32Array()], [...a]);
});

test('modules: dotted state-dict names, train/eval, dropout and batch-norm modes', () => {
  const net = new Sequential(new Conv2d(3, 4, 3), new BatchNorm2d(4), new ReLU());
  assert.deepEqual([...net.stateDict().keys()], [
    '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked',
  ]);
  const bn = net.layers[1] as BatchNorm2d;
  net.forward(randn([2, 3, 6, 6]));
  assert.equal(bn.numBatchesTracked.item(), 1);
  assert.notEqual(bn.runningMean.abs().sum().item(), 0, 'training mode updates running statistics');
  net.eval();
  const before = bn.runningMean.clone();
  net.forward(randn([2, 3, 6, 6]));
  assert.deepEqual([...bn.runningMean.toFloat32Array()], [...before.toFloat32Array()]);
  assert.equal(bn.training, false);
  const x = ones([1, 8, 4, 4]);
  assert.deepEqual([...F.dropout2d(x, 0.5, false).toFloat32Array()], [...x.toFloat32Array()]);
  const dropped = F.dropout2d(x, 0.5, true).sum([2, 3]).toFloat32Array();
  assert.ok([...dropped].every((v) => v === 0 || v === 32), 'dropout2d zeroes whole channels and scales the rest');
  assert.equal(net.parameters().length, 4);
  net.to('bfloat16');
  assert.equal((net.layers[0] as Conv2d).weight.dtype, 'bfloat16');
  assert.equal(bn.numBatchesTracked.dtype, 'int64', 'integer buffers keep their dtype');
});

test('safetensors: round trip with metadata, and clear errors for damaged files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-st-'));
  try {
    const path = join(dir, 'w.safetensors');
    const a = randn([3, 5]);
    const b = tensor(new BigInt64Array([1n, 2n]), [2]);
    const c = randn([7]).to('bfloat16');
    writeSafetensors(path, [['a', a], ['b', b], ['c', c]], { model: 'test' });
    const read = readSafetensors(path);
    assert.deepEqual(read.metadata, { model: 'test' });
    assert.deepEqual([...read.tensors.get('a')!.toFloat32Array()], [...a.toFloat32Array()]);
    assert.deepEqual([...read.tensors.get('b')!.toTypedArray()], [1n, 2n]);
    assert.deepEqual([...read.tensors.get('c')!.toTypedArray()], [...c.toTypedArray()]);
    const bytes = readFileSync(path);
    writeFileSync(join(dir, 'cut.safetensors'), bytes.subarray(0, bytes.length - 10));
    assert.throws(() => readSafetensors(join(dir, 'cut.safetensors')), /cut\.safetensors' is not a valid safetensors file: tensor 'c' has data_offsets/);
    writeFileSync(join(dir, 'junk.safetensors'), 'not a checkpoint at all');
    assert.throws(() => readSafetensors(join(dir, 'junk.safetensors')), /junk\.safetensors' is not a valid safetensors file/);
    assert.throws(() => loadStateDictFile(join(dir, 'junk.pth')), /junk\.pth' does not exist/);
    writeFileSync(join(dir, 'junk.pth'), 'not a zip');
    assert.throws(() => loadStateDictFile(join(dir, 'junk.pth')), /junk\.pth' cannot be read as a PyTorch state dict.*not a ZIP archive/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('thread count can be set', () => {
  setNumThreads(2);
  assert.equal(getNumThreads(), 2);
  assert.throws(() => setNumThreads(0), /thread count must be at least 1/);
});

test('libtorch starts with one thread per physical core (as lscpu counts them), or OMP_NUM_THREADS', () => {
  const lscpu = spawnSync('lscpu', ['-p=CORE,SOCKET'], { encoding: 'utf8' });
  if (lscpu.status === 0) {
    const cores = new Set(lscpu.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('#'))).size;
    assert.equal(defaultThreadCount(), Math.min(cores, availableParallelism()));
  }
  const engine = new URL('../../src/engine/index.js', import.meta.url).href;
  const threadsAtStart = (env: NodeJS.ProcessEnv): number => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import('${engine}'); console.log(m.getNumThreads());`], { encoding: 'utf8', env });
    assert.equal(child.status, 0, child.stderr);
    return Number(child.stdout.trim());
  };
  const { OMP_NUM_THREADS: _ignored, ...withoutOmp } = process.env;
  assert.equal(threadsAtStart(withoutOmp), defaultThreadCount());
  assert.equal(threadsAtStart({ ...withoutOmp, OMP_NUM_THREADS: '1' }), 1);
});

test('cuda: tensors and modules move to the GPU and back', { skip: cudaAvailable() ? false : 'no CUDA device here' }, () => {
  const net = new Conv2d(3, 4, 3).to('cuda');
  const x = randn([1, 3, 8, 8]);
  const y = net.forward(x.to('cuda'));
  assert.equal(y.device, 'cuda:0');
  const cpu = net.to('cpu').forward(x);
  const back = y.to('cpu').toFloat32Array();
  const want = cpu.toFloat32Array();
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(back[i]! - want[i]!) < 1e-4);
});

test('cuda: a clear error where there is no GPU', { skip: cudaAvailable() ? 'a CUDA device is present' : false }, () => {
  assert.throws(() => ones([2], { device: 'cuda' }), /device 'cuda' requested but no CUDA device is usable/);
  assert.throws(() => ones([2]).to('cuda:1'), /device 'cuda:1' requested but no CUDA device is usable/);
});
