// The network's input: an RGB image as a 1×3×H×W float32 tensor, normalised per channel as in
// training (REFERENCE_SPEC §4: (rgb/255 − mean)/std).
import { scope, tensor, type Tensor } from '../engine/index.js';
import type { InputNormalisation } from '../data/normalisation.js';
import type { Raster } from '../image/raster.js';

export function imageTensor(image: Raster<Uint8Array>, normalisation: InputNormalisation): Tensor {
  if (image.channels !== 3) throw new Error(`the network needs an RGB image, got ${image.channels} channel(s)`);
  return scope(() => {
    const mean = tensor(normalisation.mean.map((m) => m * 255), [1, 3, 1, 1]);
    const std = tensor(normalisation.std.map((s) => s * 255), [1, 3, 1, 1]);
    const pixels = tensor(image.data, [1, image.height, image.width, 3]);
    return pixels.permute(0, 3, 1, 2).to('float32').sub(mean).div(std).contiguous();
  });
}
