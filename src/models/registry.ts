// Building the networks by name, for the trainer and the command line.
import { getDefaultRngState, manualSeed, setDefaultRngState, type Layer, type Module } from '../engine/index.js';
import { FCN8s, type FCN8sOptions } from './fcn8s.js';
import { ResUNet34, type ResUNet34Options } from './resunet34.js';
import { UNet, type UNetOptions } from './unet.js';
import { VGG16Features } from './vgg16.js';
import { importResNet34, importVGG16Backbone, importVGG16Features } from './weights.js';

export const modelNames = ['resunet34', 'unet', 'fcn8s'] as const;
export type ModelName = (typeof modelNames)[number];

/** A segmentation network: N×3×H×W normalised images to N×classes×H×W logits. */
export type SegmentationModel = Module & Layer;

interface BackboneWeights {
  /**
   * A torchvision state-dict file (.pth or .safetensors) for the encoder: resnet34 for ResUNet34,
   * vgg16 for FCN-8s. Without it the encoder starts from torchvision's random initialisation.
   */
  backboneWeights?: string;
}

export interface ModelOptions {
  resunet34: ResUNet34Options & BackboneWeights;
  unet: UNetOptions;
  fcn8s: FCN8sOptions & BackboneWeights;
}

const builders: { [N in ModelName]: (options: ModelOptions[N]) => SegmentationModel } = {
  resunet34: ({ backboneWeights, ...options }) => {
    const model = new ResUNet34(options);
    if (backboneWeights !== undefined) importResNet34(model.resnet, backboneWeights);
    return model;
  },
  unet: (options) => new UNet(options),
  fcn8s: ({ backboneWeights, ...options }) => {
    const model = new FCN8s(options);
    if (backboneWeights !== undefined) importVGG16Backbone(model, backboneWeights);
    return model;
  },
};

export function isModelName(name: string): name is ModelName {
  return (modelNames as readonly string[]).includes(name);
}

/** A new network, in training mode. */
export function createModel<N extends ModelName>(name: N, options: ModelOptions[N] = {}): SegmentationModel {
  if (!isModelName(name)) throw new Error(`unknown model '${String(name)}' (expected one of ${modelNames.join(', ')})`);
  return builders[name](options);
}

export interface PerceptualVGG16Options {
  /** A torchvision vgg16 state-dict file (.pth or .safetensors). */
  weights?: string;
  /** Without weights: the seed of the random initialisation (torchvision's), so that runs share one fixed VGG. */
  seed?: number;
}

/**
 * The frozen VGG16 of the perceptual loss: ImageNet weights when a file is given; otherwise a seeded
 * random one, drawn without disturbing libtorch's default generator.
 */
export function createPerceptualVGG16(options: PerceptualVGG16Options = {}): VGG16Features {
  const { weights, seed = 0 } = options;
  if (weights !== undefined) {
    const vgg = new VGG16Features();
    importVGG16Features(vgg, weights);
    return vgg;
  }
  const generatorState = getDefaultRngState();
  manualSeed(seed);
  try {
    return new VGG16Features();
  } finally {
    setDefaultRngState(generatorState);
  }
}
