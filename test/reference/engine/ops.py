"""Reference for test/engine/ops.test.ts: each op of the engine on seeded inputs, in PyTorch.
Writes OUT_DIR/ops.pth with the inputs (in.<name>) and one result per case (out.<case>).
Usage: ops.py OUT_DIR
"""
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(3)
a = torch.randn(2, 3, 6, 8)
b = torch.rand(2, 3, 6, 8) + 0.5
m = torch.randn(4, 5)
n = torch.randn(5, 3)
grid = torch.rand(2, 5, 7, 2) * 2.4 - 1.2
idx = torch.tensor([2, 0, 1])
labels = torch.randint(0, 4, (2, 6, 8))

cases = {
    'add_broadcast': a + b[:, :, :1, :],
    'sub_scalar': a - 2.5,
    'mul': a * b,
    'div': a / b,
    'pow': b.pow(1.7),
    'exp': a.exp(),
    'log': b.log(),
    'sqrt': b.sqrt(),
    'clamp': a.clamp(-0.5, 0.7),
    'where': torch.where(a > 0, a, b),
    'sum_dims': a.sum((1, 3), keepdim=True),
    'mean_all': a.mean().reshape(1),
    'amax': a.amax(2),
    'argmax': a.argmax(1),
    'softmax': F.softmax(a, 1),
    'log_softmax': F.log_softmax(a, 1),
    'matmul': m @ n,
    'max_pool': F.max_pool2d(a, 3, 2, 1),
    'avg_pool': F.avg_pool2d(a, 2),
    'interp_nearest': F.interpolate(a, size=(9, 13), mode='nearest'),
    'interp_bilinear': F.interpolate(a, size=(9, 13), mode='bilinear', align_corners=False),
    'grid_sample_bilinear': F.grid_sample(a, grid, mode='bilinear', padding_mode='zeros', align_corners=False),
    'grid_sample_nearest': F.grid_sample(a, grid, mode='nearest', padding_mode='border', align_corners=True),
    'pad_reflect': F.pad(a, (1, 2, 3, 0), mode='reflect'),
    'pad_constant': F.pad(a, (1, 2, 3, 0), value=-1.0),
    'flip': a.flip(2, 3),
    'rot90': torch.rot90(a, 1, (2, 3)),
    'permute': a.permute(0, 2, 3, 1).contiguous(),
    'index_select': a.index_select(1, idx),
    'narrow': a.narrow(3, 2, 4).contiguous(),
    'cat': torch.cat([a, b], 1),
    'stack': torch.stack([a, b], 0),
    'one_hot': F.one_hot(labels, 4),
    'mse': F.mse_loss(a, b).reshape(1),
    'pixel_shuffle': F.pixel_shuffle(torch.cat([a, b, a, b], 1), 2),
    'nll_weighted': (F.nll_loss(F.log_softmax(a, 1), labels.clamp(max=2), reduction='none') * b[:, 0]).mean().reshape(1),
    'dropout_eval': F.dropout(a, 0.5, training=False),
    'batch_norm_eval': F.batch_norm(a, running_mean=a[0, :, 0, 0], running_var=b[0, :, 0, 0], weight=b[1, :, 0, 0],
                                    bias=a[1, :, 0, 0] + 0.1, training=False, momentum=0.1, eps=1e-5),
}
out = {f'in.{k}': v for k, v in dict(a=a, b=b, m=m, n=n, grid=grid, idx=idx, labels=labels).items()}
out.update({f'out.{k}': v.contiguous() for k, v in cases.items()})
torch.save(out, f'{sys.argv[1]}/ops.pth')
