#!/usr/bin/env python3
"""PyTorch's DistributedDataParallel beside kdw's data parallel runs (bench/dist_scaling.sh).

Trains the same model on the same data with the same global batch as `kdw distill --nproc N`
(or `kdw finetune --nproc N`) and prints samples/s as kdw's metrics.jsonl counts them: the
global batch's samples over each window of `log_every` steps (and the epoch's last window),
the mean of the windows after the first. N processes of this script, one thread each, Gloo
over loopback (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT as torchrun sets them; `--nproc N`
starts them); N = 1 is a plain process without a process group or DDP, as `kdw --nproc 1` is.

What is kdw's, number for number: the workspace's word ids and teacher logits (distill) or
WordPiece ids (finetune); the batch order (kdw_batches.py: kdw's length-bucketed batches, same
seed); each rank's shard, the global batch cut into contiguous runs (rank r: samples
[n*r/W, n*(r+1)/W)) padded to the global batch's longest sample, its loss weighted by
n_local*W/n; the loss (alpha * CE + (1 - alpha) * MSE against the teacher logits; finetune:
CE), Adam / AdamW with kdw's options, gradient clipping, the learning-rate schedule.
What is PyTorch's: the LSTM and BERT kernels (PyTorch's, not kdw's), DDP's reducer (buckets of
25 MB, the first 1 MB, all-reduced during backward; the embedding's gradient dense, where kdw
sends the rows a step touched), the Python loop around them.

Student variants (--student): "exact" computes what kdw's stack_biLSTM computes: per layer and
direction a one-layer nn.LSTM over the padded batch, the backward direction run on each sample
reversed within its length, the classifier on the forward state after the last real token and
the backward state after the first (padding changes no result, and every padded step is
computed, as in kdw). "packed" is the PyTorch idiom: one bidirectional nn.LSTM over
pack_padded_sequence (student.py's model): the same function, no padded steps computed, and
PyTorch's slower packed kernels on the CPU.

Usage:
  ddp_scaling.py distill WORKSPACE [--nproc N] [--epochs 1] [--student exact|packed]
      [--hidden_size 256 --emb_dim 100 --num_layers 2 --batch_size 32 --lr 2e-3 ...]
  ddp_scaling.py finetune WORKSPACE --bert_config CONFIG.json [--nproc N] [--epochs 1]
      [--batch_size 16 --lr 5e-4 ...]
Rank 0 prints one JSON line on stdout: samples_per_s, the windows, steps, gradient bytes.
"""
import argparse
import json
import math
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn import functional as F
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_train import Bert  # noqa: E402
from kdw_batches import bucketed_batches  # noqa: E402
from student import Student as PackedStudent  # noqa: E402


# ---- data: the workspace's arrays (docs/formats.md) ---------------------------------------------

def data_dir(path):
    """kdw's resolve_data_dir: PATH, PATH/files/data or PATH/data, whichever holds tokens/."""
    for d in (path, os.path.join(path, "files", "data"), os.path.join(path, "data")):
        if os.path.isdir(os.path.join(d, "tokens")):
            return d
    sys.exit(f"ddp_scaling: {path}: no prepared data (tokens/) here")


class Ragged:
    """One split: <dir>/<split>_{ids,offsets,labels}.npy."""

    def __init__(self, folder, split):
        self.ids = np.load(os.path.join(folder, split + "_ids.npy")).astype(np.int64)
        self.offsets = np.load(os.path.join(folder, split + "_offsets.npy"))
        self.labels = np.load(os.path.join(folder, split + "_labels.npy"))

    def lengths(self):
        return (self.offsets[1:] - self.offsets[:-1]).tolist()

    def append(self, other):
        self.offsets = np.concatenate([self.offsets, self.offsets[-1] + other.offsets[1:]])
        self.ids = np.concatenate([self.ids, other.ids])
        self.labels = np.concatenate([self.labels, other.labels])

    def batch(self, index, length, max_len=None):
        """ids [B, length] right-padded with 0, lengths [B], labels [B]; a sample longer than
        max_len keeps its first max_len - 1 tokens and its last (make_bert_batch)."""
        ids = np.zeros((len(index), length), dtype=np.int64)
        lens = np.empty(len(index), dtype=np.int64)
        for r, i in enumerate(index):
            s = self.ids[self.offsets[i]:self.offsets[i + 1]]
            if max_len is not None and len(s) > max_len:
                s = np.concatenate([s[:max_len - 1], s[-1:]])
            ids[r, :len(s)] = s
            lens[r] = len(s)
        return torch.from_numpy(ids), torch.from_numpy(lens), torch.from_numpy(self.labels[index])


def read_labels(folder):
    with open(os.path.join(folder, "labels.json")) as f:
        labels = json.load(f)
    return labels["labels"] if isinstance(labels, dict) else labels


# ---- models -----------------------------------------------------------------------------------

class ExactStudent(nn.Module):
    """kdw's stack_biLSTM (engine/student/student_model.cpp) out of one-layer nn.LSTMs."""

    def __init__(self, vocab, emb, hidden, layers, labels, p):
        super().__init__()
        self.p = p
        self.embedding = nn.Embedding(vocab, emb, padding_idx=0)
        self.layers = nn.ModuleList(
            nn.ModuleList(nn.LSTM(emb if l == 0 else 2 * hidden, hidden, batch_first=True) for _ in range(2))
            for l in range(layers))
        self.classifier = nn.Linear(2 * hidden, labels)

    def forward(self, ids, lengths):
        t = ids.size(1)
        pos = torch.arange(t).unsqueeze(0)
        n = lengths.unsqueeze(1)
        # Reverses positions [0, length) of each sample, the padding stays where it is.
        rev = torch.where(pos < n, n - 1 - pos, pos).unsqueeze(-1)
        x = self.embedding(ids)
        for l, (fwd, bwd) in enumerate(self.layers):
            if l > 0:
                x = F.dropout(x, self.p, self.training)
            out_f, _ = fwd(x)
            out_b, _ = bwd(x.gather(1, rev.expand(-1, -1, x.size(2))))
            out_b = out_b.gather(1, rev.expand(-1, -1, out_b.size(2)))
            x = torch.cat([out_f, out_b], 2)
        h = x.size(2) // 2
        last = x[torch.arange(x.size(0)), lengths - 1, :h]
        first = x[:, 0, h:]
        return self.classifier(F.dropout(torch.cat([last, first], 1), self.p, self.training))


# ---- the loop ---------------------------------------------------------------------------------

class Windows:
    """kdw's step records: samples/s over windows of log_every steps and the epoch's last."""

    def __init__(self, log_every):
        self.log_every, self.rates = log_every, []

    def epoch(self):
        self.start, self.samples, self.steps = time.perf_counter(), 0, 0

    def step(self, samples, step, last):
        self.samples += samples
        self.steps += 1
        if step % self.log_every == 0 or last:
            secs = time.perf_counter() - self.start
            self.rates.append(self.samples / secs if secs > 0 else 0.0)
            self.start, self.samples, self.steps = time.perf_counter(), 0, 0


def shard(batch, rank, world):
    """This rank's samples of a global batch and its loss weight (kdw's dist::Shard)."""
    n = len(batch)
    begin, end = n * rank // world, n * (rank + 1) // world
    if begin == end:
        return batch[:1], 0.0
    return batch[begin:end], (end - begin) * world / n


def train_distill(a, rank, world):
    folder = data_dir(a.workspace)
    train = Ragged(os.path.join(folder, "tokens"), "train")
    teacher = np.load(os.path.join(folder, "logits", "train.npy"))
    aug = os.path.join(folder, "logits", "train_aug.npy")
    if os.path.exists(aug):  # kdw distill trains on the augmented copies too (--augmented)
        train.append(Ragged(os.path.join(folder, "logits"), "train_aug"))
        teacher = np.concatenate([teacher, np.load(aug)])
    teacher = torch.from_numpy(teacher)
    with open(os.path.join(folder, "tokens", "vocab.txt"), "rb") as f:
        vocab = sum(1 for _ in f)
    labels = len(read_labels(folder))
    torch.manual_seed(a.seed)
    if a.student == "exact":
        model = ExactStudent(vocab, a.emb_dim, a.hidden_size, a.num_layers, labels, a.dropout)
    else:
        model = PackedStudent(vocab, a.emb_dim, a.hidden_size, a.num_layers, labels, True)
        model.lstm.dropout = a.dropout
        model.drop.p = a.dropout
    params = list(model.parameters())
    net = DistributedDataParallel(model) if world > 1 else model
    optimizer = torch.optim.Adam(params, lr=a.lr)
    lengths = train.lengths()
    windows, step = Windows(a.log_every), 0
    for epoch in range(1, a.epochs + 1):
        net.train()
        batches = bucketed_batches(lengths, a.batch_size, True, a.seed + epoch)
        windows.epoch()
        for bi, batch in enumerate(batches):
            index, weight = shard(batch, rank, world)
            longest = max(lengths[i] for i in (batch if world > 1 else index))
            ids, lens, gold = train.batch(index, longest)
            logits = net(ids, lens)
            total = a.alpha * F.cross_entropy(logits, gold) + (1 - a.alpha) * F.mse_loss(logits, teacher[index])
            if weight != 1:
                total = total * weight
            if not math.isfinite(total.item()):
                sys.exit(f"ddp_scaling: loss {total.item()} at step {step + 1}")
            optimizer.zero_grad()
            total.backward()
            if a.max_grad_norm > 0:
                nn.utils.clip_grad_norm_(params, a.max_grad_norm)
            optimizer.step()
            step += 1
            windows.step(len(batch), step, bi + 1 == len(batches))
    return windows, step, params


def train_finetune(a, rank, world):
    folder = data_dir(a.workspace)
    train = Ragged(os.path.join(folder, "bert_data"), "train")
    with open(a.bert_config) as f:
        c = json.load(f)
    labels = len(read_labels(folder))
    torch.manual_seed(a.seed)
    model = Bert(c["vocab_size"], c["hidden_size"], c["num_hidden_layers"], labels,
                 c.get("hidden_dropout_prob", 0.1), c["num_attention_heads"], c["intermediate_size"],
                 c.get("max_position_embeddings", 512))
    named = list(model.named_parameters())
    # kdw's make_bert_optimizer: no weight decay on biases and LayerNorm weights.
    plain = [p for n, p in named if n.endswith("bias") or "norm" in n]
    decay = [p for n, p in named if not (n.endswith("bias") or "norm" in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                                   {"params": plain, "weight_decay": 0.0}], lr=a.lr, eps=1e-8)
    params = [p for _, p in named]
    net = DistributedDataParallel(model) if world > 1 else model
    lengths = [min(n, a.max_seq_len) for n in train.lengths()]
    total_steps = len(bucketed_batches(lengths, a.batch_size, True, a.seed)) * a.epochs
    warmup = round(a.warmup * total_steps)
    windows, step = Windows(a.log_every), 0
    for epoch in range(a.epochs):
        net.train()
        batches = bucketed_batches(lengths, a.batch_size, True, a.seed + epoch)
        windows.epoch()
        for bi, batch in enumerate(batches):
            index, weight = shard(batch, rank, world)
            longest = max(lengths[i] for i in (batch if world > 1 else index))
            ids, lens, gold = train.batch(index, longest, a.max_seq_len)
            mask = (torch.arange(longest).unsqueeze(0) < lens.unsqueeze(1)).long()
            loss = F.cross_entropy(net(ids, mask), gold)
            if weight != 1:
                loss = loss * weight
            if not math.isfinite(loss.item()):
                sys.exit(f"ddp_scaling: loss {loss.item()} at step {step + 1}")
            loss.backward()
            # kdw's lr_at: linear warm-up, then linear decay to 0.
            lr = a.lr * (step + 1) / warmup if step < warmup else (
                a.lr if total_steps <= warmup else a.lr * max(0.0, (total_steps - step) / (total_steps - warmup)))
            for group in optimizer.param_groups:
                group["lr"] = lr
            if a.max_grad_norm > 0:
                nn.utils.clip_grad_norm_(params, a.max_grad_norm)
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            windows.step(len(batch), step, bi + 1 == len(batches))
    return windows, step, params


# ---- processes --------------------------------------------------------------------------------

def launch(a):
    """Starts a.nproc workers of this script with torchrun's variables; a failed one stops all."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workers = []
    for rank in range(a.nproc):
        env = dict(os.environ, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(a.nproc),
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS=str(a.threads))
        workers.append(subprocess.Popen([sys.executable] + sys.argv, env=env))
    code = 0
    while workers:
        for w in list(workers):
            rc = w.poll()
            if rc is None:
                continue
            workers.remove(w)
            if rc != 0 and code == 0:
                code = rc
                for other in workers:
                    other.terminate()
        time.sleep(0.05)
    return code


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("part", choices=["distill", "finetune"])
    p.add_argument("workspace", help="kdw's --data_path (distill) / --workspace (finetune)")
    p.add_argument("--nproc", type=int, default=1)
    p.add_argument("--threads", type=int, default=1, help="threads per process")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--log_every", type=int, default=10)
    p.add_argument("--batch_size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--max_grad_norm", type=float)
    # distill (kdw distill's defaults but dist_scaling.sh's sizes)
    p.add_argument("--student", choices=["exact", "packed"], default="exact")
    p.add_argument("--hidden_size", type=int, default=256)
    p.add_argument("--emb_dim", type=int, default=100)
    p.add_argument("--num_layers", type=int, default=2)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--alpha", type=float, default=0.5)
    # finetune
    p.add_argument("--bert_config", help="the teacher's config.json (finetune)")
    p.add_argument("--max_seq_len", type=int, default=128)
    p.add_argument("--warmup", type=float, default=0.1)
    p.add_argument("--weight_decay", type=float, default=0.01)
    a = p.parse_args()
    # dist_scaling.sh's figures: distill --batch_size 32 --lr 2e-3, finetune --batch_size 16
    # --lr 5e-4; clipping at kdw's defaults.
    distill = a.part == "distill"
    a.batch_size = a.batch_size or (32 if distill else 16)
    a.lr = a.lr or (2e-3 if distill else 5e-4)
    a.max_grad_norm = a.max_grad_norm if a.max_grad_norm is not None else (5.0 if distill else 1.0)
    if not distill and not a.bert_config:
        p.error("finetune needs --bert_config")
    if "RANK" not in os.environ and a.nproc > 1:
        sys.exit(launch(a))

    torch.set_num_threads(a.threads)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group("gloo", init_method="env://", rank=rank, world_size=world,
                                timeout=timedelta(seconds=120))
    windows, steps, params = (train_distill if distill else train_finetune)(a, rank, world)
    if world > 1:
        dist.destroy_process_group()
    if rank == 0:
        rates = windows.rates[1:] or windows.rates
        print(json.dumps({
            "part": a.part, "model": a.student if distill else "bert", "nproc": world,
            "samples_per_s": sum(rates) / len(rates) if rates else None,
            "windows": [round(r, 1) for r in windows.rates], "steps": steps,
            "gradient_bytes": sum(q.numel() * q.element_size() for q in params),
            "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
