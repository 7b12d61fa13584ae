#!/usr/bin/env python3
"""The reference side of bench_bert_train, rerunnable next to it on the same machine.

../shared/PLATFORM.md gives the reference figures (PyTorch 1.13 in Python, 2 threads, BERT-base
shape with random weights, batch 16 x 128): 419 tokens/s inference, 141 tokens/s fine-tuning
(forward + backward + AdamW). This machine's speed swings between runs, so a ratio is only
meaningful when both sides run back to back; scripts/bench.sh does that when python3-torch is
installed (Debian's python3-torch is the same PyTorch 1.13).

The model is Hugging Face's eager BertForSequenceClassification written out in plain PyTorch
(same layers, same order of operations), so no transformers package is needed.
Usage: bert_train.py [threads=2]
"""
import math
import sys
import time

import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, h=768, heads=12, inter=3072, p=0.1):
        super().__init__()
        self.heads, self.d = heads, h // heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.attn_norm = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
        self.inter, self.out = nn.Linear(h, inter), nn.Linear(inter, h)
        self.out_norm = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(p)

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.d).permute(0, 2, 1, 3)

    def forward(self, x, mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d) + mask
        context = self.drop(scores.softmax(-1)) @ v
        context = context.permute(0, 2, 1, 3).reshape(x.shape)
        h = self.attn_norm(self.drop(self.attn_out(context)) + x)
        return self.out_norm(self.drop(self.out(nn.functional.gelu(self.inter(h)))) + h)


class Bert(nn.Module):
    def __init__(self, vocab=119547, h=768, layers=12, labels=4, p=0.1):
        super().__init__()
        self.word, self.pos = nn.Embedding(vocab, h), nn.Embedding(512, h)
        self.token_type = nn.Embedding(2, h)
        self.norm, self.drop = nn.LayerNorm(h, eps=1e-12), nn.Dropout(p)
        self.layers = nn.ModuleList(Layer(h) for _ in range(layers))
        self.pooler, self.classifier = nn.Linear(h, h), nn.Linear(h, labels)

    def forward(self, ids, attention_mask):
        b, t = ids.shape
        pos = torch.arange(t).unsqueeze(0).expand(b, t)
        x = self.drop(self.norm(self.word(ids) + self.pos(pos) + self.token_type(torch.zeros_like(ids))))
        mask = ((1.0 - attention_mask.float()) * -10000.0).view(b, 1, 1, t)
        for layer in self.layers:
            x = layer(x, mask)
        return self.classifier(self.drop(torch.tanh(self.pooler(x[:, 0]))))


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = Bert()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)
    b, t = 16, 128
    ids = torch.randint(1000, 119547, (b, t))
    mask = torch.ones(b, t, dtype=torch.long)
    labels = torch.randint(0, 4, (b,))

    def step():
        model.train()
        nn.functional.cross_entropy(model(ids, mask), labels).backward()
        optimizer.step()
        optimizer.zero_grad()

    step()  # warm-up, as bench_bert_train
    start = time.perf_counter()
    for _ in range(3):
        step()
    train = 3 * b * t / (time.perf_counter() - start)
    print(f"reference fine-tuning 16 x 128: {train:.0f} tokens/s (PLATFORM.md: 141)", flush=True)
    model.eval()
    with torch.no_grad():
        model(ids, mask)
        start = time.perf_counter()
        for _ in range(2):
            model(ids, mask)
        infer = 2 * b * t / (time.perf_counter() - start)
    print(f"reference inference 16 x 128: {infer:.0f} tokens/s (PLATFORM.md: 419)", flush=True)


if __name__ == "__main__":
    main()
