"""Reference for test/engine/parity.test.ts: a small network (conv, batch norm, ReLU, max-pool,
transposed conv, concatenation) in PyTorch. Writes to OUT_DIR:
  inputs.pth  - initial weights (state dict names), input x, target, pixel weights
  results.pth - logits, loss, every parameter's gradient after one step (grad.<name>), and the
                state after ten Adam steps (final.<name>)
Usage: small_net.py OUT_DIR THREADS
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.up = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.head = nn.Conv2d(16, 5, 1)

    def forward(self, x):
        skip = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(F.max_pool2d(skip, 2))))
        return self.head(torch.cat([self.up(y), skip], 1))


def loss_of(logits, target, weight):
    per_pixel = F.nll_loss(F.log_softmax(logits, 1), target, reduction='none')
    return (per_pixel * weight).mean()


def main():
    out_dir, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(7)
    net = SmallNet().train()
    x = torch.randn(2, 3, 16, 16)
    target = torch.randint(0, 5, (2, 16, 16))
    weight = torch.rand(2, 16, 16) * 10 + 1
    inputs = {k: v.clone() for k, v in net.state_dict().items()}
    inputs.update({'x': x, 'target': target, 'weight': weight})
    torch.save(inputs, f'{out_dir}/inputs.pth')

    results = {}
    logits = net(x)
    loss = loss_of(logits, target, weight)
    loss.backward()
    results['logits'] = logits.detach()
    results['loss'] = loss.detach().reshape(1)
    for name, p in net.named_parameters():
        results[f'grad.{name}'] = p.grad.clone()

    net.load_state_dict({k: v for k, v in inputs.items() if k not in ('x', 'target', 'weight')})
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2, betas=(0.9, 0.99), weight_decay=1e-4)
    for _ in range(10):
        optimizer.zero_grad()
        loss_of(net(x), target, weight).backward()
        optimizer.step()
    for name, value in net.state_dict().items():
        results[f'final.{name}'] = value.clone()
    torch.save(results, f'{out_dir}/results.pth')


if __name__ == '__main__':
    main()
