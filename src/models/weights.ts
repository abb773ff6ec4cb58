// Import of torchvision's ImageNet weights (resnet34, vgg16) from state-dict files — .pth/.pt as
// torch.save writes them, or .safetensors — into ResUNet34's encoder, FCN-8s's backbone and the
// perceptual VGG16. Keys are matched by torchvision's names; the parts a network does not use (the
// classifiers, VGG block 5 for the perceptual taps) are left out.
import { loadStateDictFile, mapKeys, scope, type Conv2d, type Tensor } from '../engine/index.js';
import type { FCN8s } from './fcn8s.js';
import type { ResNetEncoder } from './resnet.js';
import type { VGG16Features } from './vgg16.js';

/** torchvision resnet34 weights into a ResNet-34 encoder; the classifier 'fc.*' is dropped. */
export function importResNet34(encoder: ResNetEncoder, path: string): void {
  scope(() => {
    const state = readWeights(path, 'resnet34');
    const used = new Map([...state].filter(([name]) => !name.startsWith('fc.')));
    encoder.loadStateDict(used, { source: describe(path, 'resnet34') });
  });
}

/** torchvision vgg16 weights into the perceptual VGG16: the features up to its last tap. */
export function importVGG16Features(vgg: VGG16Features, path: string): void {
  scope(() => {
    const state = readWeights(path, 'vgg16');
    const layers = vgg.features.layers.length;
    const used = new Map([...state].filter(([name]) => name.startsWith('features.') && Number(name.split('.')[1]) < layers));
    vgg.loadStateDict(used, { source: describe(path, 'vgg16') });
  });
}

/**
 * torchvision vgg16 weights into FCN-8s's backbone: the features by name, and the first two
 * classifier layers (Linear 25088→4096 and 4096→4096) reshaped into the convolutions fc6 (7×7) and
 * fc7 (1×1). The score and up-sampling layers keep their values.
 */
export function importVGG16Backbone(fcn: FCN8s, path: string): void {
  scope(() => {
    const source = describe(path, 'vgg16');
    const state = readWeights(path, 'vgg16');
    const used = mapKeys(state, [['features.', 'features.'], ['classifier.0.', 'fc6.'], ['classifier.3.', 'fc7.']], true);
    const asConvolution = (name: string, conv: Conv2d): void => {
      const linear = used.get(name);
      if (linear === undefined) return; // reported as missing by loadStateDict
      if (linear.numel !== conv.weight.numel) {
        throw new Error(`${source} does not fit FCN8s: the weights for '${name}' have shape [${linear.shape.join(', ')}], which cannot become [${conv.weight.shape.join(', ')}]`);
      }
      used.set(name, linear.reshape(...conv.weight.shape));
    };
    asConvolution('fc6.weight', fcn.fc6);
    asConvolution('fc7.weight', fcn.fc7);
    for (const [name, own] of fcn.stateDict()) if (!/^(features|fc6|fc7)\./.test(name)) used.set(name, own); // kept as they are
    fcn.loadStateDict(used, { source });
  });
}

function describe(path: string, architecture: string): string {
  return `torchvision ${architecture} weights '${path}'`;
}

function readWeights(path: string, architecture: string): Map<string, Tensor> {
  try {
    return loadStateDictFile(path);
  } catch (error) {
    throw new Error(`cannot read ${describe(path, architecture)}: ${(error as Error).message}`);
  }
}
