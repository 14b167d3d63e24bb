#!/usr/bin/python3
"""The projector benchmark's peer: scikit-learn's PCA and t-SNE (and umap-learn's UMAP when installed) on the same
float32 matrix the studio projects, timed here, with the 5-NN accuracy of the folder labels in each layout.

    /usr/bin/python3 bench/projector/sklearn_peer.py MATRIX.f32 LABELS.i32 N D THREADS   (prints one JSON line)
"""
import json
import os
import sys
import time

threads = sys.argv[5]
for k in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[k] = threads

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.manifold import TSNE  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402

n, d = int(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(sys.argv[1], dtype='<f4').reshape(n, d)
labels = np.fromfile(sys.argv[2], dtype='<i4')


def knn_accuracy(y, k=5):
    idx = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y, return_distance=False)[:, 1:]
    right = 0
    for i in range(n):
        votes = {}
        for j in idx[i]:
            votes[labels[j]] = votes.get(labels[j], 0) + 1
        best = max(votes.items(), key=lambda kv: kv[1])[0]  # first-seen wins ties (nearest first), as the studio
        right += best == labels[i]
    return right / n


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, (time.perf_counter() - t) * 1000


out = {'sklearn': sklearn.__version__}
_, out['pca_full_ms'] = timed(lambda: PCA(n_components=2, svd_solver='full').fit_transform(x))
_, out['pca_randomized_ms'] = timed(lambda: PCA(n_components=2, svd_solver='randomized', random_state=0).fit_transform(x))
x50, out['pca50_ms'] = timed(lambda: PCA(n_components=50, svd_solver='randomized', random_state=0).fit_transform(x))
y, out['tsne_ms'] = timed(
    lambda: TSNE(n_components=2, perplexity=30, n_iter=1000, init='pca', learning_rate='auto', random_state=0).fit_transform(x50)
)
out['tsne_knn'] = knn_accuracy(y)
try:
    import umap  # noqa: F401

    y, out['umap_ms'] = timed(lambda: umap.UMAP(n_components=2, random_state=0).fit_transform(x50))
    out['umap_knn'] = knn_accuracy(y)
except ImportError:
    out['umap_ms'] = None
print(json.dumps(out))
