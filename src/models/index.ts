// histonuc's networks: ResUNet34 (the paper's), the U-Net and FCN-8s baselines, the perceptual VGG16,
// torchvision weight import, and construction by name.
export { ConvReluBatchNorm, DownBlock, UpBlock } from './blocks.js';
export { FCN8s, type FCN8sOptions } from './fcn8s.js';
export { createModel, createPerceptualVGG16, isModelName, modelNames, type ModelName, type ModelOptions, type PerceptualVGG16Options, type SegmentationModel } from './registry.js';
export { BasicBlock, ResNetEncoder, resnet34Encoder, type ResNetFeatures } from './resnet.js';
export { ResUNet34, type ResUNet34Options } from './resunet34.js';
export { UNet, type UNetOptions } from './unet.js';
export { perceptualTaps, VGG16Features, vgg16Layers } from './vgg16.js';
export { importResNet34, importVGG16Backbone, importVGG16Features } from './weights.js';
