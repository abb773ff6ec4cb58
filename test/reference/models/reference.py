"""Reference values for test/models: the PyTorch builds of bench/pytorch/models.py, and torchvision's
own resnet34 / vgg16, with random weights.

Usage: reference.py TASK OUT_DIR THREADS
  resunet34, unet  state.pth: the network's state dict (constant initial values randomised);
                   io.pth: inputs x<i>, eval-mode logits eval<i>; from one train-mode pass (dropout
                   0) on x0, the logits train0, the BatchNorm running statistics running.<name>,
                   and each parameter's gradient grad.<name> of the cross-entropy against target0
  fcn8s            vgg16.pth: torchvision vgg16 weights; fcn_head.pth: the FCN-8s layers that do
                   not come from vgg16; io.pth: input x0 and eval-mode logits eval0 of FCN-8s with
                   those weights
  losses           vgg.pth: the perceptual VGG16's state dict; io.pth: logits, target, weight, and
                   each loss (ce, ce_plain, perceptual) with its gradient grad_<loss>, and the
                   perceptual loss under PyTorch's bfloat16 autocast on this machine (perceptual_bf16,
                   grad_perceptual_bf16): how far bfloat16 moves it here
  torchvision      resnet34.pth, resnet34.safetensors, vgg16.safetensors: torchvision weights;
                   io.pth: the encoder features c1..c5 of resnet34 on x, and the perceptual taps
                   tap0..tap3 of vgg16 on image
"""
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', '..', 'bench', 'pytorch'))
import models  # noqa: E402


def randomise(model):
    """Random values where the initialisation is constant (BatchNorm, zero biases, zero score
    layers), so that the comparison covers every tensor of the state dict."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0, 0.1)
                module.running_mean.normal_(0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.num_batches_tracked.fill_(3)
            elif isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                if not module.weight.any():
                    module.reset_parameters()
                if module.bias is not None and not module.bias.any():
                    module.bias.uniform_(-0.1, 0.1)
    return model


def save(tensors, path):
    torch.save({name: t.detach().clone().contiguous() for name, t in tensors.items()}, path)


def save_safetensors(tensors, path):
    """The safetensors format written directly (the package is not installed here)."""
    codes = {torch.float32: 'F32', torch.int64: 'I64'}
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {'dtype': codes[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    encoded += b' ' * (-len(encoded) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(encoded)))
        f.write(encoded)
        for chunk in chunks:
            f.write(chunk)


def network(task, out_dir):
    builders = {'resunet34': models.ResUNet34, 'unet': models.UNet}
    model = randomise(builders[task]())
    save(model.state_dict(), f'{out_dir}/state.pth')
    inputs = [torch.randn(2, 3, 64, 64)]
    if task == 'resunet34':
        inputs.append(torch.randn(1, 3, 72, 72))  # sides not multiples of 32: reflect-padded skips
    io = {}
    model.eval()
    with torch.no_grad():
        for i, x in enumerate(inputs):
            io[f'x{i}'] = x
            io[f'eval{i}'] = model(x)
    for module in model.modules():
        if hasattr(module, 'dropout'):
            module.dropout = 0.0
    model.train()
    target = torch.randint(0, 5, (inputs[0].shape[0], *inputs[0].shape[2:]))
    logits = model(inputs[0])
    models.weighted_cross_entropy(logits, target).backward()
    io.update({'train0': logits, 'target0': target})
    for name, value in model.state_dict().items():
        if 'running_' in name:
            io[f'running.{name}'] = value
    for name, parameter in model.named_parameters():
        io[f'grad.{name}'] = parameter.grad
    save(io, f'{out_dir}/io.pth')


def losses(out_dir):
    vgg = models.VGG16Features()
    save(vgg.state_dict(), f'{out_dir}/vgg.pth')
    logits = (torch.randn(2, 5, 48, 48) * 2).requires_grad_()
    target = torch.randint(0, 5, (2, 48, 48))
    weight = torch.randint(20, 221, (2, 48, 48)) / 20
    weight[:, :6] = 0  # augmentation fill, excluded from the loss
    io = {'logits': logits, 'target': target, 'weight': weight}
    for name, compute in (
        ('ce', lambda: models.weighted_cross_entropy(logits, target, weight)),
        ('ce_plain', lambda: models.weighted_cross_entropy(logits, target)),
        ('perceptual', lambda: models.perceptual_loss(vgg, logits, target)),
    ):
        value = compute()
        (gradient,) = torch.autograd.grad(value, logits)
        io[name] = value.reshape(1)
        io[f'grad_{name}'] = gradient
    with torch.autocast('cpu', dtype=torch.bfloat16):
        value = models.perceptual_loss(vgg, logits, target)
    (gradient,) = torch.autograd.grad(value, logits)
    io['perceptual_bf16'] = value.float().reshape(1)
    io['grad_perceptual_bf16'] = gradient
    save(io, f'{out_dir}/io.pth')


def fcn8s(out_dir):
    vgg16 = randomise(torchvision.models.vgg16())
    save(vgg16.state_dict(), f'{out_dir}/vgg16.pth')
    fcn = randomise(models.FCN8s()).eval()
    fcn.import_vgg16(vgg16)
    save({k: v for k, v in fcn.state_dict().items() if not k.startswith(('features.', 'fc6.', 'fc7.'))}, f'{out_dir}/fcn_head.pth')
    x = torch.randn(1, 3, 64, 96)
    torch.backends.mkldnn.enabled = False  # its fc6 (7x7, 512->4096 on a 2x3 map) takes seconds here
    with torch.no_grad():
        save({'x0': x, 'eval0': fcn(x)}, f'{out_dir}/io.pth')


def torchvision_weights(out_dir):
    resnet = randomise(torchvision.models.resnet34()).eval()
    save(resnet.state_dict(), f'{out_dir}/resnet34.pth')
    save_safetensors(resnet.state_dict(), f'{out_dir}/resnet34.safetensors')
    vgg16 = randomise(torchvision.models.vgg16())
    save_safetensors(vgg16.state_dict(), f'{out_dir}/vgg16.safetensors')
    perceptual = models.VGG16Features()
    perceptual.features.load_state_dict(vgg16.features[:len(perceptual.features)].state_dict())

    x = torch.randn(1, 3, 64, 64)
    image = torch.rand(1, 3, 64, 64)
    io = {'x': x, 'image': image}
    with torch.no_grad():
        c1 = resnet.relu(resnet.bn1(resnet.conv1(x)))
        c2 = resnet.layer1(resnet.maxpool(c1))
        c3 = resnet.layer2(c2)
        c4 = resnet.layer3(c3)
        c5 = resnet.layer4(c4)
        io.update({'c1': c1, 'c2': c2, 'c3': c3, 'c4': c4, 'c5': c5})
        for i, tap in enumerate(perceptual(image)):
            io[f'tap{i}'] = tap
    save(io, f'{out_dir}/io.pth')


def main():
    task, out_dir, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(11)
    tasks = {'losses': losses, 'fcn8s': fcn8s, 'torchvision': torchvision_weights}
    if task in tasks:
        tasks[task](out_dir)
    else:
        network(task, out_dir)


if __name__ == '__main__':
    main()
