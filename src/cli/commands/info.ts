// `histonuc info`: what this installation runs on.
import { cpus } from 'node:os';

import { cpuHasBf16, cudaDeviceCount, getNumThreads, libtorchVersion } from '../../engine/index.js';
import type { Command } from '../command.js';

export const infoCommand: Command = {
  path: ['info'],
  usage: 'histonuc info',
  summary: 'print the libtorch version, devices and CPU features histonuc will use',
  flags: {},
  async run() {
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log(`histonuc on Node ${process.version}, libtorch ${libtorchVersion()}`);
    console.log(`CPU: ${cpu}, ${cpus().length} logical cores; libtorch threads: ${getNumThreads()}`);
    console.log(`bfloat16 in hardware (AVX512-BF16 or AMX): ${cpuHasBf16() ? 'yes' : 'no'}`);
    const gpus = cudaDeviceCount();
    console.log(`CUDA devices: ${gpus}${gpus === 0 ? ' (CPU only)' : ''}`);
  },
};
