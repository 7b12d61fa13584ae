#!/usr/bin/env python3
"""The reference side of bench_bert_train, rerunnable next to it on the same machine.

../shared/PLATFORM.md gives the reference figures (PyTorch 1.13 in Python, 2 threads, BERT-base
shape with random weights, batch 16 x 128): 419 tokens/s inference, 141 tokens/s fine-tuning
(forward + backward + AdamW). This machine's speed swings between runs, so a ratio is only
meaningful when both sides run back to back; scripts/bench.sh does that when python3-torch is
installed (Debian's python3-torch is the same PyTorch 1.13).

The model is Hugging Face's eager BertForSequenceClassification written out in plain PyTorch
(same layers, same order of operations), so no transformers package is needed.
On a GPU (--device cuda) it is the Hugging Face side of issue 10's comparison: with transformers
installed (--hf) its own BertForSequenceClassification (eager attention) is timed instead of this
copy; --bf16 runs under torch.autocast(bfloat16) as HF's mixed precision does; gradients are
clipped to 1.0 as kdw finetune does. Batch 16 x 128 for training, 64 x 128 for inference on a GPU.
Usage: bert_train.py [threads=2] [--device cpu|cuda] [--bf16] [--hf] [--steps N]
"""
import argparse
import contextlib
import math
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
    # The defaults are BERT-base's; ddp_scaling.py passes the demo BERT's config.json.
    def __init__(self, vocab=119547, h=768, layers=12, labels=4, p=0.1, heads=12, inter=3072, max_pos=512):
        super().__init__()
        self.word, self.pos = nn.Embedding(vocab, h), nn.Embedding(max_pos, h)
        self.token_type = nn.Embedding(2, h)
        self.norm, self.drop = nn.LayerNorm(h, eps=1e-12), nn.Dropout(p)
        self.layers = nn.ModuleList(Layer(h, heads, inter, p) for _ in range(layers))
        self.pooler, self.classifier = nn.Linear(h, h), nn.Linear(h, labels)

    def forward(self, ids, attention_mask):
        b, t = ids.shape
        pos = torch.arange(t, device=ids.device).unsqueeze(0).expand(b, t)
        x = self.drop(self.norm(self.word(ids) + self.pos(pos) + self.token_type(torch.zeros_like(ids))))
        mask = ((1.0 - attention_mask.float()) * -10000.0).view(b, 1, 1, t)
        for layer in self.layers:
            x = layer(x, mask)
        return self.classifier(self.drop(torch.tanh(self.pooler(x[:, 0]))))


def make_model(hf):
    if not hf:
        return Bert()
    from transformers import BertConfig, BertForSequenceClassification
    config = BertConfig(vocab_size=119547, num_labels=4, attn_implementation="eager")
    return BertForSequenceClassification(config)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("threads", nargs="?", type=int, default=2)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--bf16", action="store_true", help="torch.autocast(bfloat16)")
    parser.add_argument("--hf", action="store_true", help="transformers' BertForSequenceClassification")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    gpu = device.type == "cuda"
    model = make_model(args.hf).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)
    autocast = (lambda: torch.autocast(device.type, dtype=torch.bfloat16)) if args.bf16 else contextlib.nullcontext
    sync = torch.cuda.synchronize if gpu else (lambda: None)
    name = ("transformers " if args.hf else "reference ") + ("bf16 autocast" if args.bf16 else "float32")

    def logits(ids, mask):
        out = model(input_ids=ids, attention_mask=mask) if args.hf else model(ids, mask)
        return out.logits if args.hf else out

    def batch(b, t=128):
        ids = torch.randint(1000, 119547, (b, t), device=device)
        return ids, torch.ones(b, t, dtype=torch.long, device=device), torch.randint(0, 4, (b,), device=device)

    ids, mask, labels = batch(16)

    def step():
        model.train()
        with autocast():
            loss = nn.functional.cross_entropy(logits(ids, mask).float(), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()

    steps = args.steps if not gpu else max(args.steps, 20)
    for _ in range(1 if not gpu else 3):  # warm-up, as bench_bert_train
        step()
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync()
    seconds = time.perf_counter() - start
    print(f"{name} fine-tuning 16 x 128 on {args.device}: {steps * 16 / seconds:.1f} samples/s, "
          f"{steps * 16 * 128 / seconds:.0f} tokens/s (CPU reference, PLATFORM.md: 141 tokens/s)", flush=True)
    model.eval()
    b = 64 if gpu else 16
    ids, mask, _ = batch(b)
    with torch.no_grad(), autocast():
        for _ in range(1 if not gpu else 3):
            logits(ids, mask)
        sync()
        start = time.perf_counter()
        runs = 2 if not gpu else 20
        for _ in range(runs):
            logits(ids, mask)
        sync()
        seconds = time.perf_counter() - start
    print(f"{name} inference {b} x 128 on {args.device}: {runs * b / seconds:.1f} samples/s, "
          f"{runs * b * 128 / seconds:.0f} tokens/s (CPU reference, PLATFORM.md: 419 tokens/s)", flush=True)


if __name__ == "__main__":
    main()
