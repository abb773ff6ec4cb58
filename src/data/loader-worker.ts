// A loader worker thread: receives the shared training set once (workerData), then makes each
// requested batch and transfers its buffers back (no copies).
import { parentPort, workerData } from 'node:worker_threads';
import { produceBatch, type BatchContext, type BatchRequest } from './batch.js';

const context = workerData as BatchContext;
const port = parentPort;
if (!port) throw new Error('loader-worker.js runs as a worker thread of the batch loader');

port.on('message', ({ id, request }: { id: number; request: BatchRequest }) => {
  try {
    const batch = produceBatch(context, request);
    port.postMessage({ id, batch }, [batch.images.buffer, batch.targets.buffer, batch.weights.buffer]);
  } catch (error) {
    const problem = error instanceof Error ? (error.stack ?? error.message) : String(error);
    port.postMessage({ id, error: `batch ${request.index} of epoch ${request.epoch}: ${problem}` });
  }
});
