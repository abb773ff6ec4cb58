#!/usr/bin/env python3
"""scipy.optimize.linear_sum_assignment on matrices read as JSON from stdin, for testing only.

Input: [{"rows": R, "cols": C, "cost": [R·C values, row-major]}, ...]
Output: [{"rows": [...], "cols": [...]}, ...], the assigned pairs as scipy returns them.
"""
import json
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment

out = []
for problem in json.load(sys.stdin):
    cost = np.array(problem['cost'], dtype=float).reshape(problem['rows'], problem['cols'])
    rows, cols = linear_sum_assignment(cost)
    out.append({'rows': rows.tolist(), 'cols': cols.tolist()})
json.dump(out, sys.stdout)
