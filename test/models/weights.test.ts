import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { noGrad, scope } from '../../src/engine/index.js';
import { createModel, createPerceptualVGG16, FCN8s, importResNet34, importVGG16Backbone, importVGG16Features, ResUNet34, VGG16Features } from '../../src/models/index.js';
import { entry, relativeDifference, runReference, skip, type Reference } from './reference.js';

describe('torchvision weight import', { skip }, () => {
  let reference: Reference;
  before(() => {
    reference = runReference('torchvision');
  });
  after(() => reference?.remove());

  /** The largest relative difference of the encoder's features c1…c5 from torchvision's resnet34. */
  const encoderDifference = (model: ResUNet34): number =>
    scope(() =>
      noGrad(() => {
        const features = model.eval().resnet.forward(entry(reference.io, 'x'));
        return Math.max(...(['c1', 'c2', 'c3', 'c4', 'c5'] as const).map((name) => relativeDifference(features[name], entry(reference.io, name))));
      }),
    );

  it('resnet34 (.pth) into ResUNet34 through createModel: the encoder features equal torchvision’s', (t) => {
    const model = createModel('resunet34', { backboneWeights: reference.file('resnet34.pth') }) as ResUNet34;
    const difference = encoderDifference(model);
    t.diagnostic(`max relative difference over c1…c5: ${difference.toExponential(2)}`);
    assert.ok(difference <= 1e-4, `relative difference ${difference}`);
    model.dispose();
  });

  it('resnet34 (.safetensors) into ResUNet34', (t) => {
    const model = new ResUNet34();
    importResNet34(model.resnet, reference.file('resnet34.safetensors'));
    const difference = encoderDifference(model);
    t.diagnostic(`max relative difference over c1…c5: ${difference.toExponential(2)}`);
    assert.ok(difference <= 1e-4, `relative difference ${difference}`);
    model.dispose();
  });

  it('vgg16 (.safetensors) into the perceptual VGG16: the four taps equal torchvision’s', (t) => {
    const vgg = createPerceptualVGG16({ weights: reference.file('vgg16.safetensors') });
    assert.ok(vgg.parameters().every((p) => !p.requiresGrad));
    const differences = scope(() =>
      noGrad(() => vgg.forward(entry(reference.io, 'image')).map((tap, i) => relativeDifference(tap, entry(reference.io, `tap${i}`)))),
    );
    t.diagnostic(`relu1_2, relu2_2, relu3_3, relu4_3: ${differences.map((d) => d.toExponential(2)).join(', ')}`);
    assert.equal(differences.length, 4);
    for (const difference of differences) assert.ok(difference <= 1e-4, `relative difference ${difference}`);
    vgg.dispose();
  });

  it('names the file and the keys when the weights do not fit', () => {
    const otherFile = reference.file('io.pth'); // a state dict of other tensors
    const vgg = new VGG16Features();
    assert.throws(() => importVGG16Features(vgg, otherFile), /torchvision vgg16 weights '.*io\.pth' does not fit VGG16Features: missing 'features\.0\.weight'/);
    vgg.dispose();
    const fcn = new FCN8s();
    assert.throws(() => importVGG16Backbone(fcn, otherFile), /torchvision vgg16 weights '.*io\.pth' does not fit FCN8s: missing 'features\.0\.weight'/);
    fcn.dispose();
    const model = new ResUNet34();
    assert.throws(() => importResNet34(model.resnet, otherFile), /torchvision resnet34 weights '.*io\.pth' does not fit ResNetEncoder: missing 'conv1\.weight'/);
    assert.throws(() => importResNet34(model.resnet, reference.file('absent.pth')), /cannot read torchvision resnet34 weights '.*absent\.pth'/);
    model.dispose();
  });
});
