"""Reference for test/engine/torch-import.test.ts: .pth files as torch.save writes them, and their tensors
in a second, simple form. For each file OUT_DIR/<name>.pth it writes OUT_DIR/<name>.bin, the raw
little-endian bytes of every tensor (made contiguous) one after the other; stdout is JSON
{name: [{key, dtype, shape, offset, nbytes}, ...]} describing them in the file's order.
Also writes OUT_DIR/deflated.pth, dtypes.pth with its entries compressed (torch stores them), and
OUT_DIR/legacy.pth in the pre-1.6 (non-zip) format.
Usage: torch_import.py OUT_DIR
"""
import json
import sys
import zipfile

import torch
import torchvision

out_dir = sys.argv[1]
torch.manual_seed(5)

base = torch.arange(20, dtype=torch.float32).reshape(4, 5)
files = {
    # an OrderedDict with a _metadata attribute
    'resnet34': torchvision.models.resnet34().state_dict(),
    'one_entry': {'weight': torch.randn(3, 2)},
    'dtypes': {
        'float32': torch.randn(2, 3),
        'float64': torch.randn(4, dtype=torch.float64),
        'float16': torch.randn(3, 2).half(),
        'bfloat16': torch.randn(5).bfloat16(),
        'int64': torch.tensor([-(2**40), -1, 0, 7]),
        'int32': torch.tensor([[-5, 2**30]], dtype=torch.int32),
        'uint8': torch.tensor([0, 17, 255], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True]),
    },
    # views of one storage: saved as they are, with their offsets and strides
    'views': {
        'base': base,
        'transposed': base.t(),
        'strided': base[1:, ::2],
        'column': base[:, 3],
        'expanded': torch.tensor([1.5, -2.0]).expand(3, 2),
        'half_transposed': torch.randn(3, 4).half().t(),
    },
    'shapes': {
        'empty': torch.zeros(0, 3),
        'scalar': torch.tensor(3.5),
        'nested': {'inner': torch.ones(2)},
        'epoch': 12,
        'name': 'not a tensor',
    },
}

manifest = {}
for name, contents in files.items():
    torch.save(contents, f'{out_dir}/{name}.pth')
    entries = []
    offset = 0
    with open(f'{out_dir}/{name}.bin', 'wb') as raw:
        flat = [(k, v) for k, v in contents.items() if isinstance(v, torch.Tensor)]
        flat += [(f'{k}.{k2}', v2) for k, v in contents.items() if isinstance(v, dict) for k2, v2 in v.items()]
        for key, t in flat:
            t = t.contiguous()
            data = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
            raw.write(data)
            entries.append({'key': key, 'dtype': str(t.dtype).removeprefix('torch.'), 'shape': list(t.shape), 'offset': offset, 'nbytes': len(data)})
            offset += len(data)
    manifest[name] = entries

with zipfile.ZipFile(f'{out_dir}/dtypes.pth') as source, zipfile.ZipFile(f'{out_dir}/deflated.pth', 'w', zipfile.ZIP_DEFLATED) as target:
    for item in source.infolist():
        target.writestr(item.filename, source.read(item.filename))
torch.save({'weight': torch.randn(2)}, f'{out_dir}/legacy.pth', _use_new_zipfile_serialization=False)
print(json.dumps(manifest))
