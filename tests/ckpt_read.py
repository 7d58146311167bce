#!/usr/bin/python3
"""Read a candlekit model checkpoint (model-checkpoint(5)) with numpy.
read(path) -> dict: config, meta, tensors {name: (weight, m, v)} as arrays.
Run as a script it prints a summary (used by tests/unit/ckpt.c)."""
import struct, sys, zlib
import numpy as np

HEAD = '<8s8IQQqQqQQ'      # magic, version..ntensors, nparams..data_offset

def read(path):
    b = open(path, 'rb').read()
    if b[:8] != b'CNDLCKPT':
        raise ValueError(f'{path}: not a model checkpoint (wrong magic)')
    (_, ver, hsize, W, d, L, h, F, nt, n, mid, created, gen, until,
     size, doff) = struct.unpack_from(HEAD, b)
    if ver > 2:
        raise ValueError(f'{path}: format version {ver} is newer than 2')
    if len(b) != size or zlib.crc32(b[:-4]) != struct.unpack('<I', b[-4:])[0]:
        raise ValueError(f'{path}: truncated or corrupt (size or CRC32)')
    # the softmax temperature (0: 1), the data's timeframe and range
    temp, _, tf, dfrom, dto = struct.unpack_from('<fIqqq', b, 96)
    if not 0 < temp < 1e6:
        temp = 1.0
    w, m, v = (np.frombuffer(b, '<f4', n, doff + 4 * n * k) for k in range(3))
    tensors = {}
    for i in range(nt):
        name, rows, cols, off = struct.unpack_from('<32sIIQ', b, hsize + 48 * i)
        s = slice(off, off + rows * cols)
        tensors[name.rstrip(b'\0').decode()] = tuple(
            a[s].reshape(rows, cols) for a in (w, m, v))
    cfg = dict(W=W, d=d, L=L, h=h, F=F, ghost=1, npiv=0, piv_k=0,
               piv_level=[], ctx=[])
    if ver == 2:    # the heads and the contexts, at 128
        G, npiv, pk = struct.unpack_from('<3I', b, 128)
        lev = struct.unpack_from('<5I', b, 140)
        (nctx,) = struct.unpack_from('<I', b, 160)
        ctx = []
        for i in range(nctx):
            tf, N, _, pre = struct.unpack_from('<qII24s', b, 168 + 40 * i)
            ctx.append(dict(tf=tf, N=N, prefix=pre.rstrip(b'\0').decode()))
        cfg.update(ghost=G, npiv=npiv, piv_k=pk, piv_level=list(lev[:npiv]),
                   ctx=ctx)
    return dict(config=cfg, model_id=mid,
                created=created, generation=gen, trained_until=until,
                temperature=temp, timeframe=tf, data_from=dfrom, data_to=dto,
                nparams=n, weights=w, m=m, v=v, tensors=tensors)

if __name__ == '__main__':
    c = read(sys.argv[1])
    cf = c['config']
    print('config', ' '.join(f'{k} {cf[k]}' for k in 'W d L h F'.split()))
    print('heads ghost', cf['ghost'], 'npiv', cf['npiv'], 'k', cf['piv_k'],
          'levels', ','.join(map(str, cf['piv_level'])) or '-')
    for x in cf['ctx']:
        print('ctx tf', x['tf'], 'N', x['N'], 'prefix', x['prefix'] or '-')
    print(f"id {c['model_id']:016x} generation {c['generation']} nparams {c['nparams']}")
    print('sums', *(repr(float(c[k].astype(np.float64).sum())) for k in 'weights m v'.split()))
    print('pos[1,2]', repr(float(c['tensors']['pos'][0][1, 2])))
