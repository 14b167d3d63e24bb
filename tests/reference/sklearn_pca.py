#!/usr/bin/python3
"""Reference PCA for main/projector/pca.ts from scikit-learn (Debian python3-sklearn), exact LAPACK SVD.

    npx tsx tests/reference/projector_pca_fixture.ts   # embeds the images, then runs this script

Input: a little-endian float32 matrix (n x d, row-major) written by projector_pca_fixture.ts: the MobileNetV2
embeddings (the input of its classifier) of the first 20 images of each Fashion-MNIST test class. The matrix
itself is not committed (it is 1 MB); the fixture keeps fingerprints of it (sums and a few entries), so the
test can tell a different embedding from a wrong PCA.

Output (tests/fixtures/projector/sklearn-pca.json): PCA(n_components=3, svd_solver='full') coordinates,
components' explained variance ratios, and svd_flip's sign convention as scikit-learn 1.2 applies it
(the largest |coordinate| of each axis is positive).
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.decomposition import PCA

matrix, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
meta = json.loads(sys.argv[4])
x = np.fromfile(matrix, dtype='<f4').reshape(n, d)
pca = PCA(n_components=3, svd_solver='full')
coords = pca.fit_transform(x.astype(np.float64))
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'projector', 'sklearn-pca.json')
x64 = x.astype(np.float64)
fixture = {
    **meta,
    'sklearn': sklearn.__version__,
    'n': n,
    'd': d,
    'fingerprint': {
        'sum': float(x64.sum()),
        'sumSquares': float((x64 ** 2).sum()),
        'rowSums': [float(v) for v in x64.sum(axis=1)[:20]],
    },
    'coords': [[round(float(v), 7) for v in row] for row in coords],
    'varianceRatio': [float(v) for v in pca.explained_variance_ratio_],
}
with open(out, 'w') as f:
    json.dump(fixture, f)
    f.write('\n')
print(f'wrote {out}: {n} x {d} -> 3 components, variance ratio {pca.explained_variance_ratio_}')
