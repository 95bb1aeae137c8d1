#!/usr/bin/env python3
"""PyTorch reference timings for adtkit's speed benchmark (bench/speed.bench.ts).

Builds the thesis architectures of SPEC section 4 in plain PyTorch (the same layers, sizes and
parameter counts as adtkit's TF.js models; weights random) and times, on the CPU with a fixed
number of threads:
  - forward (eval mode, no_grad) of a batch of B x T frames for the five default
    architectures and CRNN(2, 72, GRU);
  - a training step of CRNN(2, 72, GRU) in train mode: forward, weighted BCE with logits
    (SPEC section 5), backward, global-norm clipping at 2, AdamW step.
Prints one JSON object on stdout, including the BLAS library torch runs on and its matrix
product throughput: Debian's python3-torch links the system libblas.so.3, and with the
reference BLAS (the default alternative when no OpenBLAS is installed) its dense and
recurrent layers are about 10x slower than with OpenBLAS (convolutions use oneDNN either way).
Needs only torch (Debian: apt-get install python3-torch).

Usage: python3 bench/pytorch_reference.py [--threads 2] [--batch 8] [--frames 400]
           [--runs 3] [--only "NAME[;NAME...]"]
"""
import argparse
import json
import math
import platform
import statistics
import time

import torch
from torch import nn

N_BINS = 84
N_CLASSES = 5


class ConvBlock(nn.Module):
    """Conv 3x3 (no bias) -> ReLU -> BN -> Conv 3x3 -> ReLU -> BN -> MaxPool(1, 3) -> Dropout2d(0.3)."""

    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
        self.batchnorm1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.batchnorm2 = nn.BatchNorm2d(c_out)
        self.pool = nn.MaxPool2d((1, 3))
        self.dropout = nn.Dropout2d(0.3)

    def forward(self, x):
        x = self.batchnorm1(torch.relu(self.conv1(x)))
        x = self.batchnorm2(torch.relu(self.conv2(x)))
        return self.dropout(self.pool(x))


class ConvEncoder(nn.Module):
    """I conv blocks (32 * i filters), [B, 1, T, 84] -> [B, T, C * F] (channel-major per frame)."""

    def __init__(self, num_blocks):
        super().__init__()
        blocks, c_in, bins = [], 1, N_BINS
        for i in range(1, num_blocks + 1):
            blocks.append(ConvBlock(c_in, 32 * i))
            c_in, bins = 32 * i, bins // 3
        self.convolutions = nn.Sequential(*blocks)
        self.features = c_in * bins

    def forward(self, x):
        x = self.convolutions(x)  # [B, C, T, F]
        return x.permute(0, 2, 1, 3).flatten(2)


class RNN(nn.Module):
    def __init__(self, num_layers=3, hidden=288, gru=True):
        super().__init__()
        cell = nn.GRU if gru else nn.LSTM
        self.rnns = cell(N_BINS, hidden, num_layers=num_layers, batch_first=True, bidirectional=True, dropout=0.1)
        self.fc = nn.Linear(2 * hidden, N_CLASSES)

    def forward(self, x):
        y, _ = self.rnns(x.squeeze(1))
        return self.fc(y)


class CNN(nn.Module):
    def __init__(self, num_blocks=2, num_layers=2, hidden=288):
        super().__init__()
        self.encoder = ConvEncoder(num_blocks)
        layers, f = [], self.encoder.features
        for _ in range(num_layers):
            layers += [nn.Linear(f, hidden), nn.ReLU()]
            f = hidden
        self.dense = nn.Sequential(*layers)
        self.fc = nn.Linear(f, N_CLASSES)

    def forward(self, x):
        return self.fc(self.dense(self.encoder(x)))


class CRNN(nn.Module):
    def __init__(self, num_layers=3, hidden=288, gru=True):
        super().__init__()
        self.encoder = ConvEncoder(2)
        cell = nn.GRU if gru else nn.LSTM
        self.rnns = cell(self.encoder.features, hidden, num_layers=num_layers, batch_first=True, bidirectional=True, dropout=0.1)
        self.fc = nn.Linear(2 * hidden, N_CLASSES)

    def forward(self, x):
        y, _ = self.rnns(self.encoder(x))
        return self.fc(y)


def sinusoidal_encoding(frames, dim):
    position = torch.arange(frames, dtype=torch.float32).unsqueeze(1)
    div = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    pe = torch.zeros(frames, dim)
    pe[:, 0::2] = torch.sin(position * div)
    pe[:, 1::2] = torch.cos(position * div)
    return pe


class EncoderBlock(nn.Module):
    """Pre-LayerNorm block: x + Drop(MHA(LN(x))); x + Drop(W2 GELU(W1 LN(x)))."""

    def __init__(self, dim, heads, dropout=0.1):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attention = nn.MultiheadAttention(dim, heads, dropout=0.0, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.dropout(self.attention(h, h, h, need_weights=False)[0])
        return x + self.dropout(self.fc2(nn.functional.gelu(self.fc1(self.norm2(x)))))


class TransformerEncoder(nn.Module):
    def __init__(self, dim, heads, num_layers):
        super().__init__()
        self.dim = dim
        self.layers = nn.ModuleList([EncoderBlock(dim, heads) for _ in range(num_layers)])
        self.fc = nn.Linear(dim, N_CLASSES)

    def forward(self, x):
        x = x + sinusoidal_encoding(x.shape[1], self.dim).to(x.dtype)
        for layer in self.layers:
            x = layer(x)
        return self.fc(x)


class ConvTransformer(nn.Module):
    def __init__(self, heads=6, num_layers=5, dim=576):
        super().__init__()
        self.encoder = ConvEncoder(2)
        self.projection = nn.Linear(self.encoder.features, dim)
        self.decoder = TransformerEncoder(dim, heads, num_layers)

    def forward(self, x):
        return self.decoder(self.projection(self.encoder(x)))


class ViT(nn.Module):
    """Patch embedding Conv2d(1 -> D/n, (1, P), stride (1, P)) + learnable [D/n, n] position embedding."""

    def __init__(self, patch=21, heads=6, num_layers=5, dim=576):
        super().__init__()
        n = N_BINS // patch
        self.patch_embedding = nn.Conv2d(1, dim // n, (1, patch), stride=(1, patch))
        self.position_embedding = nn.Parameter(torch.zeros(dim // n, n))
        self.decoder = TransformerEncoder(dim, heads, num_layers)

    def forward(self, x):
        x = self.patch_embedding(x)  # [B, D/n, T, n]
        x = x + self.position_embedding.unsqueeze(1)
        return self.decoder(x.permute(0, 2, 1, 3).flatten(2))


ARCHITECTURES = {
    'RNN(3, 288, GRU)': (lambda: RNN(3, 288, True), 3642053),
    'CNN(2, 2, 288)': (lambda: CNN(2, 2, 288), 316037),
    'CRNN(3, 288, GRU)': (lambda: CRNN(3, 288, True), 4557413),
    'ConvTransformer(6, 5, 576)': (lambda: ConvTransformer(6, 5, 576), 20344421),
    'ViT(21, 6, 5, 576)': (lambda: ViT(21, 6, 5, 576), 19950629),
    'CRNN(2, 72, GRU)': (lambda: CRNN(2, 72, True), None),
}
TRAIN_ARCHITECTURE = 'CRNN(2, 72, GRU)'


def blas_libraries():
    """Shared BLAS/LAPACK libraries mapped into this process (Linux): Debian's torch uses the
    system libblas.so.3, whose speed differs by 10x between the reference BLAS and OpenBLAS."""
    try:
        with open('/proc/self/maps') as f:
            paths = {line.split()[-1] for line in f if line.rstrip().endswith('.so') or '.so.' in line}
    except OSError:
        return []
    return sorted(p for p in paths if any(k in p.lower() for k in ('blas', 'lapack', 'mkl')))


def gemm_gmacs(threads):
    """Throughput of one [3200, 576] x [576, 2304] float32 product (GMAC/s), best of 3."""
    a, b = torch.randn(3200, 576), torch.randn(576, 2304)
    best = min(timed_once(lambda: a @ b) for _ in range(3))
    return 3200 * 576 * 2304 / best / 1e9


def timed_once(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def count(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def timed(fn, runs, warmup=1):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return {'medianSeconds': statistics.median(samples), 'minSeconds': min(samples), 'runs': runs}


def weighted_bce(logits, targets, weights):
    """SPEC section 5: BCE with logits summed over classes, times max(1, sum_c y_c w_c), mean over frames."""
    bce = nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction='none').sum(-1)
    frame_weight = torch.clamp((targets * weights).sum(-1), min=1.0)
    return (bce * frame_weight).mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--frames', type=int, default=400)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--only', default='', help='architecture names separated by ";" (default: all)')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    only = [s.strip() for s in args.only.split(';') if s.strip()]
    x = torch.randn(args.batch, 1, args.frames, N_BINS)
    result = {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'python': platform.python_version(),
        'batch': args.batch,
        'frames': args.frames,
        'blasLibraries': blas_libraries(),
        'gemmGMACperSecond': round(gemm_gmacs(args.threads), 2),
        'forward': {},
    }
    for name, (build, expected) in ARCHITECTURES.items():
        if only and name not in only:
            continue
        model = build().eval()
        params = count(model)
        if expected is not None and params != expected:
            raise SystemExit(f'{name}: {params} trainable parameters, SPEC says {expected}')
        with torch.no_grad():
            t = timed(lambda: model(x), args.runs)
        result['forward'][name] = {'trainableParams': params, **t}

    if not only or TRAIN_ARCHITECTURE in only:
        model = ARCHITECTURES[TRAIN_ARCHITECTURE][0]().train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
        y = (torch.rand(args.batch, args.frames, N_CLASSES) > 0.95).float()
        weights = torch.tensor([8.0, 12.0, 30.0, 4.0, 20.0])

        def step():
            optimizer.zero_grad()
            loss = weighted_bce(model(x), y, weights)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 2.0, error_if_nonfinite=True)
            optimizer.step()
            return loss.item()

        result['trainStep'] = {
            'architecture': TRAIN_ARCHITECTURE,
            'trainableParams': count(model),
            'step': 'forward (train mode) + weighted BCE + backward + clip 2 + AdamW',
            **timed(step, args.runs),
        }
    print(json.dumps(result))


if __name__ == '__main__':
    main()
