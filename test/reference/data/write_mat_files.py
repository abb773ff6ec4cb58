"""MAT-files written by scipy.io.savemat, for the tests of src/data/mat-file.ts.

Usage: write_mat_files.py OUT_DIR. Writes OUT_DIR/plain.mat (do_compression=False) and
OUT_DIR/compressed.mat (True) with the same numeric variables, OUT_DIR/unsupported.mat with one
variable of each kind the reader refuses beside a readable one, and prints JSON: for every numeric
variable its class, dims and values in column-major order, except inst_map, whose value at
(row r, column c) is ((r * 1000 + c) * 2654435761) mod 2**31 - 2**30.
"""
import json
import sys

import numpy as np
import scipy.io
import scipy.sparse


def numeric_variables():
    rows, cols = np.meshgrid(np.arange(1000, dtype=np.int64), np.arange(1000, dtype=np.int64), indexing='ij')
    inst_map = (((rows * 1000 + cols) * 2654435761) % 2**31 - 2**30).astype(np.int32)
    return {
        'd': np.array([[0.5, -1.25, 3e300], [np.inf, -np.inf, 7.0], [1e-310, 2.0, -0.0]]),
        's': (np.arange(10, dtype=np.float32).reshape(2, 5) / 3 - 1),
        'i8': np.array([[-128, 127, 0], [-1, 5, 100]], dtype=np.int8),
        'u8': np.array([[0, 255], [128, 7], [9, 1]], dtype=np.uint8),
        'i16': np.array([[-32768, 32767, -2]], dtype=np.int16),
        'u16': np.array([[65535], [0], [40000]], dtype=np.uint16),
        'i32': np.array([[-2**31, 2**31 - 1], [12, -12]], dtype=np.int32),
        'u32': np.array([[2**32 - 1, 0, 3000000000]], dtype=np.uint32),
        'b': np.array([[True, False, True], [False, False, True], [True, True, False], [False, True, True]]),
        'inst_type': np.array([[1], [2], [3], [4], [5], [6], [7]], dtype=np.float64),
        'scalar': np.float64(42),
        'cube': np.arange(24, dtype=np.uint16).reshape(2, 3, 4) * 1000,
        'inst_map': inst_map,
    }


def main():
    out = sys.argv[1]
    variables = numeric_variables()
    scipy.io.savemat(f'{out}/plain.mat', variables, do_compression=False)
    scipy.io.savemat(f'{out}/compressed.mat', variables, do_compression=True)
    scipy.io.savemat(f'{out}/unsupported.mat', {
        'ok': np.array([[1.0, 2.0]]),
        'cell': np.array([np.zeros(2), 'text'], dtype=object),
        'struct': {'a': 1.0},
        'sparse': scipy.sparse.csc_matrix(np.eye(3)),
        'text': 'hello',
        'complex': np.array([[1 + 2j]]),
        'big': np.array([[1]], dtype=np.int64),
    }, do_compression=True)

    description = {}
    for name, value in variables.items():
        if name == 'inst_map':
            continue
        array = np.atleast_2d(np.asarray(value))
        description[name] = {
            'className': 'logical' if array.dtype == bool else {'float64': 'double', 'float32': 'single'}.get(str(array.dtype), str(array.dtype)),
            'dims': list(array.shape),
            'values': [repr_float(v) for v in array.flatten(order='F').tolist()],
        }
    json.dump(description, sys.stdout)


def repr_float(value):
    """JSON has no infinities or negative zero: those go as strings."""
    if isinstance(value, float) and (np.isinf(value) or (value == 0 and np.signbit(value))):
        return repr(value)
    return int(value) if isinstance(value, bool) else value


if __name__ == '__main__':
    main()
