#!/usr/bin/env python3
"""The reference side of bench_student, rerunnable next to it on the same machine.

../shared/PLATFORM.md's reference (PyTorch 1.13 in Python, 2 threads): stack_biLSTM, h=1000,
2 layers, emb 300, vocab 30k, batch 64, lognormal lengths (mean ~44), Adam, loss CE + MSE:
0.6 samples/s with pack_padded_sequence (correct), 3.8 padded (reverse direction wrong).
Same corpus recipe and batching as bench_student (length-bucketed batches of 64 out of 1,024
samples, for both variants: PLATFORM.md's padded figure had no bucketing, so the padded variant
here is the stronger competitor), so both print comparable samples/s. The packed variant needs ~100 s a batch at
h=1000: pass a small batch count.
On a GPU (--device cuda; cuDNN's LSTM) it is the PyTorch packed-sequence biLSTM of issue 10's
comparison (2,260 samples/s on the H200 at h=1000, emb 300, batch 64); times are taken after
torch.cuda.synchronize().
Usage: student.py [threads=2] [batches=4] [hidden=1000] [variants=padded,packed] [--device cpu|cuda]
"""
import math
import random
import sys
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class Student(nn.Module):
    def __init__(self, vocab, emb, hidden, layers, labels, packed):
        super().__init__()
        self.packed = packed
        self.embedding = nn.Embedding(vocab, emb, padding_idx=0)
        self.lstm = nn.LSTM(emb, hidden, layers, batch_first=True, bidirectional=True, dropout=0.1)
        self.classifier = nn.Linear(2 * hidden, labels)
        self.drop = nn.Dropout(0.1)

    def forward(self, ids, lengths):
        x = self.embedding(ids)
        if self.packed:
            out, _ = self.lstm(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
            out, _ = pad_packed_sequence(out, batch_first=True)
        else:
            out, _ = self.lstm(x)
        h = out.size(2) // 2
        last = out[torch.arange(out.size(0), device=out.device), lengths.to(out.device) - 1, :h]
        first = out[:, 0, h:]
        return self.classifier(self.drop(torch.cat([last, first], 1)))


def main():
    argv = sys.argv[1:]
    device = torch.device("cpu")
    if "--device" in argv:
        k = argv.index("--device")
        device = torch.device(argv[k + 1])
        del argv[k:k + 2]
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    threads = int(argv[0]) if len(argv) > 0 else 2
    batches = int(argv[1]) if len(argv) > 1 else 4
    hidden = int(argv[2]) if len(argv) > 2 else 1000
    variants = argv[3].split(",") if len(argv) > 3 else ["padded", "packed"]
    torch.set_num_threads(threads)
    rng = random.Random(1)
    lengths = [min(max(int(rng.lognormvariate(3.6, 0.6)), 1), 400) for _ in range(64 * 16)]
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups = [order[k:k + 64] for k in range(0, len(order), 64)]
    rng.shuffle(groups)
    for variant in variants:
        torch.manual_seed(0)
        model = Student(30000, 300, hidden, 2, 3, variant == "packed").to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        model.train()
        total, samples, tokens = 0.0, 0, 0
        for step in range(batches + 1):
            group = groups[step % len(groups)]
            lens = torch.tensor([lengths[i] for i in group])
            ids = torch.zeros(len(group), int(lens.max()), dtype=torch.long)
            for r, n in enumerate(lens.tolist()):
                ids[r, :n] = torch.randint(2, 30000, (n,))
            labels = torch.randint(0, 3, (len(group),)).to(device)
            teacher = torch.randn(len(group), 3).to(device)
            ids = ids.to(device)
            sync()
            start = time.perf_counter()
            # pack_padded_sequence wants the lengths on the CPU; the indexing below, on the device.
            logits = model(ids, lens)
            loss = 0.5 * nn.functional.cross_entropy(logits, labels) + 0.5 * nn.functional.mse_loss(logits, teacher)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            sync()
            if step > 0:  # step 0 warms up
                total += time.perf_counter() - start
                samples += len(group)
                tokens += int(lens.sum())
            print(f"  {variant} step {step}: {len(group)} x {int(lens.max())}, "
                  f"{time.perf_counter() - start:.2f} s", file=sys.stderr, flush=True)
        print(f"reference stack_biLSTM h={hidden} {variant:7s} on {device.type} {samples / total:6.2f} samples/s "
              f"{tokens / total:8.0f} useful tokens/s ({batches} batches)", flush=True)


if __name__ == "__main__":
    main()
