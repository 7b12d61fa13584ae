"""Runs an exported kdw student with numpy only (the snippet of docs/export.md).

usage: export_forward.py EXPORT_DIR IDS.npy LENGTHS.npy OUT_LOGITS.npy
IDS: [B, T] int64 word indices (vocab.txt line numbers), right-padded; LENGTHS: [B].
"""
import json
import sys

import numpy as np


def load_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name != "__metadata__":
            begin, end = info["data_offsets"]
            tensors[name] = np.frombuffer(data[begin:end], "<f4").reshape(info["shape"])
    return tensors


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm(x, w, p):  # x: [T, in] -> hidden states [T, H]; gates i, f, g, o
    w_ih, w_hh = w[p + "weight_ih"], w[p + "weight_hh"]
    b = w[p + "bias_ih"] + w[p + "bias_hh"]
    h = c = np.zeros(w_hh.shape[1], np.float32)
    out = []
    for x_t in x:
        i, f, g, o = np.split(w_ih @ x_t + w_hh @ h + b, 4)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        out.append(h)
    return np.stack(out)


def classify(ids, config, w):  # ids: one sample's word indices, without padding
    x = w["embedding.weight"][ids]
    for layer in range(config["num_layers"]):
        p = "layers.%d." % layer
        fwd = lstm(x, w, p + "fwd.")
        bwd = lstm(x[::-1], w, p + "bwd.")[::-1] if config["model_type"] == "stack_biLSTM" else fwd[:, :0]
        x = np.concatenate([fwd, bwd], axis=1)
    h_fwd = config["hidden"][-1]["fwd"]
    # forward state after the last token, backward state after (reading back to) the first token
    features = np.concatenate([x[-1, :h_fwd], x[0, h_fwd:]])
    return w["classifier.weight"] @ features + w["classifier.bias"]


if __name__ == "__main__":
    folder, ids_file, lengths_file, out_file = sys.argv[1:5]
    with open(folder + "/config.json") as f:
        config = json.load(f)
    w = load_safetensors(folder + "/model.safetensors")
    ids, lengths = np.load(ids_file), np.load(lengths_file)
    logits = np.stack([classify(row[:n], config, w) for row, n in zip(ids, lengths)])
    np.save(out_file, logits.astype(np.float32))
    print(" ".join(config["labels"][k] for k in logits.argmax(axis=1)))
