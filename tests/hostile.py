"""hostile.py BASE OUTDIR - hostile variants of a valid CSV stream BASE
(header, then at least 4 rows; any columns after time..volume) for
tests/sh/faults.sh.  Writes OUTDIR/NAME and prints "NAME LINE" for each:
LINE is the line the program must name in its error, 0 for a valid input.
The bad row is line 4, so 2 rows come before it."""
import os
import random
import sys

base, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
lines = open(base, 'rb').read().split(b'\n')[:-1]
hdr = lines[0].split(b',')


def row(i, **cols):
    """line i (1-based) with some columns replaced"""
    f = lines[i - 1].split(b',')
    for k, v in cols.items():
        f[hdr.index(k.encode())] = v
    return b','.join(f)


def put(name, data, line):
    with open(os.path.join(out, name), 'wb') as fp:
        fp.write(data)
    print(name, line)


head = b'\n'.join(lines[:3]) + b'\n'
put('nan', head + row(4, open=b'nan') + b'\n', 4)
put('inf', head + row(4, high=b'inf') + b'\n', 4)
put('negative', head + row(4, open=b'-8.1', low=b'-9') + b'\n', 4)
put('huge', head + row(4, high=b'1e400') + b'\n', 4)
put('out-of-order', head + row(4, time=lines[1].split(b',')[0]) + b'\n', 4)
put('nul', head + row(4).replace(b',', b',\0', 1) + b'\n', 4)
put('longline', head + b'7' * (10 << 20) + b'\n' + row(4) + b'\n', 4)
put('empty', b'', 1)
r = random.Random(3)
put('noise', bytes(r.randrange(256) for _ in range(65536)), 1)
put('header-only', lines[0] + b'\n', 0)
put('no-final-newline', b'\n'.join(lines), 0)
put('crlf', b'\r\n'.join(lines) + b'\r\n', 0)
