// The batch loader: augmented batches made ahead of use on worker threads, in a fixed order and
// deterministic for a seed (whatever the number of workers), with at most `prefetch` batches made
// or in the making at any time, so memory stays bounded. Batches arrive as typed arrays in
// transferred buffers; batchTensors hands them to the engine with the one copy into libtorch.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Tensor, tensor } from '../engine/index.js';
import { REFERENCE_AUGMENTATION, type AugmentationOptions } from './augment.js';
import { epochOrder, produceBatch, type Batch, type BatchContext, type BatchRequest } from './batch.js';
import type { TrainingSet } from './training-set.js';

export interface LoaderOptions {
  batchSize: number;
  seed: number;
  /** Worker threads (default: available cores, at most 4); 0 makes batches on the calling thread. */
  workers?: number;
  /** Batches made ahead (default 2 per worker, at least 1). */
  prefetch?: number;
  augmentation?: AugmentationOptions;
  /** Drop the last, incomplete batch of an epoch (default true, as the reference's loader). */
  dropLast?: boolean;
}

interface Pending {
  worker: Worker;
  resolve: (batch: Batch) => void;
  reject: (error: Error) => void;
}

type WorkerReply = { id: number; batch: Batch } | { id: number; error: string };

export class BatchLoader {
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  readonly #context: BatchContext;
  readonly #workers: Worker[];
  readonly #prefetch: number;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;

  constructor(set: TrainingSet, options: LoaderOptions) {
    const { batchSize, seed } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    const dropLast = options.dropLast ?? true;
    this.batchSize = batchSize;
    this.batchesPerEpoch = dropLast ? Math.floor(set.patches.length / batchSize) : Math.ceil(set.patches.length / batchSize);
    if (this.batchesPerEpoch === 0) throw new RangeError(`${set.patches.length} patches do not fill one batch of ${batchSize}`);
    this.#context = {
      sources: set.sources, patches: set.patches, normalisation: set.normalisation,
      augmentation: options.augmentation ?? REFERENCE_AUGMENTATION, seed,
    };
    const workerCount = options.workers ?? Math.min(4, availableParallelism());
    this.#prefetch = Math.max(1, options.prefetch ?? 2 * workerCount);
    this.#workers = Array.from({ length: workerCount }, () => this.#startWorker());
  }

  /** The batches of one epoch in order, from batch `from` (a resumed epoch): each is the same as in a whole epoch. */
  async *epoch(epoch: number, from = 0): AsyncGenerator<Batch> {
    if (this.#closed) throw new Error('the batch loader is closed');
    if (!Number.isInteger(from) || from < 0 || from > this.batchesPerEpoch) {
      throw new RangeError(`the first batch must be an integer from 0 to ${this.batchesPerEpoch}, got ${from}`);
    }
    const order = epochOrder(this.#context.seed, epoch, this.#context.patches.length);
    const requests: BatchRequest[] = Array.from({ length: this.batchesPerEpoch - from }, (_, k) => {
      const index = from + k;
      return { epoch, index, firstSample: index * this.batchSize, patches: order.slice(index * this.batchSize, (index + 1) * this.batchSize) };
    });
    const ahead: Promise<Batch>[] = [];
    let next = 0;
    const refill = (): void => {
      while (ahead.length < this.#prefetch && next < requests.length) ahead.push(this.#make(requests[next++]));
    };
    refill();
    while (ahead.length > 0) {
      const batch = await (ahead.shift() as Promise<Batch>);
      refill();
      yield batch;
    }
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    this.#closed = true;
    // An idle worker is unref'd; without ref() the event loop could empty before its exit event
    // (and Node end a top-level await on close() with exit code 13).
    await Promise.all(
      this.#workers.map((worker) => {
        worker.ref();
        return worker.terminate();
      }),
    );
  }

  #make(request: BatchRequest): Promise<Batch> {
    if (this.#workers.length === 0) {
      return new Promise((resolve) => setImmediate(() => resolve(produceBatch(this.#context, request))));
    }
    const worker = this.#workers[request.index % this.#workers.length];
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { worker, resolve, reject });
      // A worker keeps the process alive only while it owes a batch.
      worker.ref();
      worker.postMessage({ id, request });
    });
  }

  #startWorker(): Worker {
    const worker = new Worker(new URL('./loader-worker.js', import.meta.url), { workerData: this.#context });
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      // (Once closing, the worker stays ref'd: close() waits for its exit.)
      if (!this.#closed && ![...this.#pending.values()].some((other) => other.worker === worker)) worker.unref();
      if ('batch' in reply) pending.resolve(reply.batch);
      else pending.reject(new Error(`loader worker failed: ${reply.error}`));
    });
    worker.on('error', (error) => this.#failAll(error));
    worker.on('exit', (code) => {
      if (!this.#closed) this.#failAll(new Error(`loader worker exited with code ${code}`));
    });
    worker.unref();
    return worker;
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/** The batch as engine tensors: images [B,3,S,S] float32, targets [B,S,S] int64, weights [B,S,S] float32. */
export function batchTensors(batch: Batch): { images: Tensor; targets: Tensor; weights: Tensor } {
  const { size, cropSize: s } = batch;
  return {
    images: tensor(batch.images, [size, 3, s, s]),
    targets: tensor(batch.targets, [size, s, s], { dtype: 'int64' }),
    weights: tensor(batch.weights, [size, s, s]),
  };
}
