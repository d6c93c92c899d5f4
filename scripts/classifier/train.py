"""Step 2 of `npm run train`: trains the window classifier in torch and exports it to ONNX.

Reads DATA_DIR/dataset.jsonl and DATA_DIR/tokenizer.json (written by
scripts/classifier/dataset.ts: token ids exactly as the served tokenizer makes
them) and writes to OUT_DIR:

- model.onnx: inputs `rows` (int32 [batch, T, 3]: per token position the
  embedding rows of its character, of the bigram and of the trigram starting
  there, 0 = padding; see src/classifier/window-features.ts) and `mask`
  (float [batch, T]); output `window_logits` (float [batch, W, labels]) for the
  windows of `window` positions starting every `stride` positions;
- train.json: options, per-epoch losses, dev figures;
- probe.json: window logits of a few dev texts, for the parity check of the
  served graph;
- dev_scores.jsonl: the served decision (worst window) of every dev text.

A text counts as its worst window (the window least likely clean), as
served. Loss: cross-entropy of the worst window against the text's label
(for a synthetic bad post, the worst of the windows that hold its
label-bearing sentence), plus `--window-loss` × the mean cross-entropy of the
windows known to be clean (every window of a clean text, the windows of a
synthetic bad post that do not touch its label-bearing sentence).

    /usr/bin/python3.11 scripts/classifier/train.py DATA_DIR OUT_DIR [options]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import real_data  # noqa: E402

LABELS = ['clean', 'secret', 'political', 'illegal', 'ads', 'vulgar']
MUL2, MUL3, M32 = 0x9E3779B1, 0x85EBCA6B, 0xFFFFFFFF


def ngram_rows(ids: np.ndarray, vocab: int, buckets: int) -> np.ndarray:
    """[n, 3] embedding rows: character, bigram and trigram starting at each position (0 when absent).

    The multiplicative hash of src/classifier/window-features.ts (Math.imul there,
    uint64 arithmetic masked to 32 bits here).
    """
    bits = int(round(math.log2(buckets)))
    if 2**bits != buckets or vocab > 65535:
        raise SystemExit('buckets must be a power of two and the vocabulary below 65,536 tokens')
    shift = np.uint64(32 - bits)
    n = len(ids)
    out = np.zeros((n, 3), dtype=np.int64)
    out[:, 0] = ids
    if n >= 2:
        u = ids.astype(np.uint64)
        h = ((u[:-1] * np.uint64(vocab) + u[1:]) * np.uint64(MUL2)) & np.uint64(M32)
        out[:-1, 1] = vocab + (h >> shift).astype(np.int64)
        if n >= 3:
            h3 = ((h[:-1] ^ u[2:]) * np.uint64(MUL3)) & np.uint64(M32)
            out[:-2, 2] = vocab + (h3 >> shift).astype(np.int64)
    return out


def windows_of(n: int, window: int, stride: int) -> int:
    """Windows a text of n tokens is scored over: starts 0, stride, ... until the last holds token n - 1."""
    return 1 if n <= window else 1 + math.ceil((n - window) / stride)


def padded_length(n: int, window: int, stride: int) -> int:
    return window + (windows_of(n, window, stride) - 1) * stride


class WindowClassifier(nn.Module):
    """Per-position embedding (sum of the character, bigram and trigram rows), then per window of `window` positions:

    - `linear`: mean of the embeddings → labels;
    - `ft`: mean of the embeddings → hidden layer (ReLU) → labels;
    - `cnn`: a convolution over positions (kernel `kernel`, ReLU) → max over the window → labels.
    """

    def __init__(self, arch: str, rows: int, dim: int, hidden: int, window: int, stride: int, kernel: int, labels: int = 6):
        super().__init__()
        self.arch, self.window, self.stride, self.kernel = arch, window, stride, kernel
        self.emb = nn.Embedding(rows, dim, padding_idx=0, sparse=True)
        nn.init.zeros_(self.emb.weight)
        if arch == 'linear':
            self.out = nn.Linear(dim, labels)
        elif arch == 'ft':
            self.hidden = nn.Linear(dim, hidden)
            self.out = nn.Linear(hidden, labels)
        elif arch == 'cnn':
            self.conv = nn.Conv1d(dim, hidden, kernel, padding=kernel // 2)
            self.out = nn.Linear(hidden, labels)
        else:
            raise ValueError(arch)

    @property
    def radius(self) -> int:
        """How far beyond its own positions a window's score looks (the convolution's reach)."""
        return self.kernel // 2 if self.arch == 'cnn' else 0

    def forward(self, rows: torch.Tensor, mask: torch.Tensor, drop: float = 0.0, table: torch.Tensor | None = None) -> torch.Tensor:
        # `table`: the embedding table as exported (float16), looked up and cast to float32.
        e = self.emb(rows.long()) if table is None else F.embedding(rows.long(), table).float()
        x = e.sum(2)  # [B, T, D]
        if drop > 0 and self.training:
            x = F.dropout(x, drop)
        m = mask.unsqueeze(1)  # [B, 1, T]
        x = x.transpose(1, 2)  # [B, D, T]
        if self.arch == 'cnn':
            h = F.relu(self.conv(x)) * m
            w = F.max_pool1d(h, self.window, self.stride)
            return self.out(w.transpose(1, 2))
        # Padding positions look up row 0, which stays zero: the sums need no mask, the counts do.
        s = F.avg_pool1d(x, self.window, self.stride)
        c = F.avg_pool1d(m, self.window, self.stride).clamp_min(1.0 / self.window)
        w = (s / c).transpose(1, 2)
        if self.arch == 'linear':
            return self.out(w)
        return self.out(F.relu(self.hidden(w)))


def risk(z: torch.Tensor) -> torch.Tensor:
    """log Σ exp(bad logits) − clean logit: how much a window leans away from clean."""
    return torch.logsumexp(z[..., 1:], -1) - z[..., 0]


class Example:
    __slots__ = ('id', 'set', 'part', 'label', 'rows', 'n', 'spans', 'document', 'weight')


def load(data_dir: str, buckets: int) -> tuple[list[Example], int]:
    tok = json.load(open(os.path.join(data_dir, 'tokenizer.json'), encoding='utf-8'))
    vocab = max(tok['model']['vocab'].values()) + 1
    expected = real_data.parts()
    out = []
    with open(os.path.join(data_dir, 'dataset.jsonl'), encoding='utf-8') as f:
        for line in f:
            r = json.loads(line)
            if r['set'] != 'synthetic' and expected.get(r['id']) != r['part']:
                raise SystemExit(f"{r['id']}: part {r['part']} disagrees with real_data.py ({expected.get(r['id'])})")
            if r['part'] not in ('train', 'dev'):
                raise SystemExit(f"{r['id']}: the trainer never reads {r['part']}")
            e = Example()
            e.id, e.set, e.part, e.label = r['id'], r['set'], r['part'], r['label']
            ids = np.asarray(r['ids'], dtype=np.int64)
            e.rows, e.n = ngram_rows(ids, vocab, buckets), len(ids)
            e.spans = r.get('spans')
            e.document = r.get('document')
            e.weight = 1.0
            out.append(e)
    return out, vocab


def batches(examples: list[Example], tokens: int, rng: random.Random, window: int, stride: int, shuffle: bool):
    """Batches of texts of similar length, at most `tokens` padded positions each."""
    order = sorted(range(len(examples)), key=lambda i: (examples[i].n, rng.random() if shuffle else i))
    out, cur, width = [], [], 0
    for i in order:
        L = padded_length(examples[i].n, window, stride)
        if cur and max(width, L) * (len(cur) + 1) > tokens:
            out.append(cur)
            cur, width = [], 0
        cur.append(i)
        width = max(width, L)
    if cur:
        out.append(cur)
    if shuffle:
        rng.shuffle(out)
    return out


def collate(examples: list[Example], idx: list[int], window: int, stride: int, row_drop: float, gen: np.random.Generator | None):
    T = max(padded_length(examples[i].n, window, stride) for i in idx)
    rows = np.zeros((len(idx), T, 3), dtype=np.int64)
    mask = np.zeros((len(idx), T), dtype=np.float32)
    for b, i in enumerate(idx):
        e = examples[i]
        r = e.rows
        if row_drop > 0 and gen is not None:
            r = r.copy()
            r[gen.random(r.shape) < row_drop] = 0
        rows[b, :e.n] = r
        mask[b, :e.n] = 1
    return torch.from_numpy(rows), torch.from_numpy(mask)


def window_targets(e: Example, nw: int, window: int, stride: int):
    """(candidate windows for the worst-window loss, windows known to be clean)."""
    all_w = list(range(nw))
    if e.label == 0:
        return all_w, all_w
    if not e.spans:
        return all_w, []
    cand, clean = [], []
    for w in all_w:
        a0, a1 = w * stride, w * stride + window
        covered, touched = False, False
        for s, t in e.spans:
            ov = max(0, min(t, a1) - max(s, a0))
            if ov > 0:
                touched = True
            if t > s and ov >= 0.8 * min(t - s, window):
                covered = True
        if covered:
            cand.append(w)
        elif not touched:
            clean.append(w)
    return (cand or all_w), clean


def loss_of(model, examples, idx, z, args):
    ce_doc, ce_win, weights = [], [], []
    for b, i in enumerate(idx):
        e = examples[i]
        nw = windows_of(e.n, args.window, args.stride)
        zb = z[b, :nw]
        cand, clean = window_targets(e, nw, args.window, args.stride)
        zc = zb[cand]
        worst = zc[torch.argmax(risk(zc))]
        ce_doc.append(F.cross_entropy(worst.unsqueeze(0), torch.tensor([e.label]), reduction='sum'))
        if clean and args.window_loss > 0:
            ce_win.append(e.weight * F.cross_entropy(zb[clean], torch.zeros(len(clean), dtype=torch.long)))
        weights.append(e.weight)
    w = torch.tensor(weights)
    loss = (torch.stack(ce_doc) * w).sum() / w.sum()
    if ce_win:
        loss = loss + args.window_loss * torch.stack(ce_win).sum() / w.sum()
    return loss


@torch.no_grad()
def score(model, examples, args, tokens=65536):
    """Served decision of every text: logits of its worst window, and the window's index."""
    model.eval()
    out = [None] * len(examples)
    for idx in batches(examples, tokens, random.Random(0), args.window, args.stride, False):
        rows, mask = collate(examples, idx, args.window, args.stride, 0.0, None)
        z = model(rows, mask)
        for b, i in enumerate(idx):
            nw = windows_of(examples[i].n, args.window, args.stride)
            zb = z[b, :nw]
            w = int(torch.argmax(risk(zb)))
            out[i] = (zb[w].numpy().astype(np.float64), w)
    return out


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    allv = np.concatenate([pos, neg])
    ranks = allv.argsort().argsort() + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def dev_report(examples: list[Example], scored) -> dict:
    """Dev figures at the argmax and at clean margins fixed by the official paragraphs and by COLD recall."""
    Z = np.stack([s[0] for s in scored])
    gold = np.array([e.label for e in examples])
    sets = np.array([e.set for e in examples])
    bad_vs_clean = np.log(np.exp(Z[:, 1:]).sum(1)) - Z[:, 0]  # margin needed to call it clean
    syn, cold, off = sets == 'synthetic', sets == 'cold', sets == 'official'

    def mean(x: np.ndarray) -> float:
        return float(x.mean()) if len(x) else 0.0

    def at(margin: float) -> dict:
        zz = Z.copy()
        zz[:, 0] += margin
        pred = zz.argmax(1)
        r = {'margin': margin}
        if off.any():
            r['officialRaised'] = mean(pred[off] != 0)
        if cold.any():
            c = gold[cold]
            p = pred[cold]
            r['coldRecall'] = mean(p[c == 5] != 0)
            r['coldVulgarRecall'] = mean(p[c == 5] == 5)
            r['coldCleanFlagged'] = mean(p[c == 0] != 0)
        if syn.any():
            g, p = gold[syn], pred[syn]
            f1s = []
            for k in range(6):
                tp = ((g == k) & (p == k)).sum()
                prec = tp / max((p == k).sum(), 1)
                rec = tp / max((g == k).sum(), 1)
                f1s.append(0 if tp == 0 else 2 * prec * rec / (prec + rec))
            r['syntheticMacroF1'] = float(np.mean(f1s))
            r['syntheticCleanFlagged'] = mean(p[g == 0] != 0)
            r['syntheticBadMissed'] = mean(p[g != 0] == 0)
        return r

    rep = {'argmax': at(0.0)}
    if (cold & (gold == 5)).any() and (cold & (gold == 0)).any():
        rep['coldAuc'] = auc(bad_vs_clean[cold & (gold == 5)], bad_vs_clean[cold & (gold == 0)])
    if off.any():
        # Smallest margin that keeps at most 0.5 % of the official dev paragraphs raised.
        need = np.sort(bad_vs_clean[off])
        m = float(need[int(math.floor(0.995 * len(need)))]) if len(need) else 0.0
        rep['atOfficial0.5%'] = at(m)
    if (cold & (gold == 5)).any():
        need = np.sort(bad_vs_clean[cold & (gold == 5)])
        m = float(need[int(math.floor(0.2 * len(need)))])  # 80 % of offensive texts have bad_vs_clean above m
        rep['atColdRecall80'] = at(m)
    return rep


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('data')
    ap.add_argument('out')
    ap.add_argument('--arch', default='cnn', choices=['linear', 'ft', 'cnn'])
    ap.add_argument('--dim', type=int, default=32)
    ap.add_argument('--hidden', type=int, default=64)
    ap.add_argument('--kernel', type=int, default=3)
    ap.add_argument('--window', type=int, default=24)
    ap.add_argument('--stride', type=int, default=4)
    ap.add_argument('--buckets', type=int, default=2**18)
    ap.add_argument('--epochs', type=int, default=6)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--emb-lr', type=float, default=1e-2)
    ap.add_argument('--batch-tokens', type=int, default=12000)
    ap.add_argument('--seed', type=int, default=13)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--row-drop', type=float, default=0.1)
    ap.add_argument('--dropout', type=float, default=0.1)
    ap.add_argument('--window-loss', type=float, default=0.5)
    ap.add_argument('--weight-synthetic', type=float, default=1.0)
    ap.add_argument('--weight-cold', type=float, default=1.0)
    ap.add_argument('--weight-official', type=float, default=3.0)
    ap.add_argument('--bad-weight', type=float, default=1.0, help='loss weight of synthetic non-clean texts')
    ap.add_argument('--empty', type=float, default=0.01, help='clean texts with no token at all, as a share of the training texts (a post of emoji or punctuation only carries no evidence)')
    ap.add_argument('--no-cold', action='store_true')
    ap.add_argument('--no-official', action='store_true')
    ap.add_argument('--refit', action='store_true', help='train on train + dev (dev figures then mean nothing)')
    ap.add_argument('--no-export', action='store_true')
    ap.add_argument('--fp16-embeddings', action='store_true', help='store the embedding table in float16 in the ONNX file (half the size); dev figures and the probe then use the rounded table')
    args = ap.parse_args()

    torch.set_num_threads(min(args.threads, 2))
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    gen = np.random.default_rng(args.seed)
    t0 = time.time()
    examples, vocab = load(args.data, args.buckets)
    keep = lambda e: not ((args.no_cold and e.set == 'cold') or (args.no_official and e.set == 'official'))  # noqa: E731
    examples = [e for e in examples if keep(e)]
    for e in examples:
        e.weight = {'synthetic': args.weight_synthetic, 'cold': args.weight_cold, 'official': args.weight_official}[e.set]
        if e.set == 'synthetic' and e.label != 0:
            e.weight *= args.bad_weight
    fit = [e for e in examples if e.part == 'train' or args.refit]
    for k in range(int(round(args.empty * len(fit)))):
        e = Example()
        e.id, e.set, e.part, e.label, e.rows, e.n, e.spans, e.document, e.weight = f'empty-{k}', 'synthetic', 'train', 0, np.zeros((0, 3), dtype=np.int64), 0, None, None, 1.0
        fit.append(e)
    dev = [e for e in examples if e.part == 'dev']
    print(f'{len(fit)} training texts, {len(dev)} dev texts, vocabulary {vocab}; loaded in {time.time() - t0:.1f} s', flush=True)

    model = WindowClassifier(args.arch, vocab + args.buckets, args.dim, args.hidden, args.window, args.stride, args.kernel)
    dense = [p for n, p in model.named_parameters() if not n.startswith('emb.')]
    opt_dense = torch.optim.Adam(dense, lr=args.lr)
    opt_emb = torch.optim.SparseAdam(list(model.emb.parameters()), lr=args.emb_lr)
    plan = [batches(fit, args.batch_tokens, rng, args.window, args.stride, True) for _ in range(args.epochs)]
    total = sum(len(p) for p in plan)
    step = 0
    history = []
    for epoch, bs in enumerate(plan):
        model.train()
        run, seen = 0.0, 0
        te = time.time()
        for idx in bs:
            frac = step / total
            scale = min(1.0, (step + 1) / 200) * (1 - frac)  # warm-up, then linear decay
            for g in opt_dense.param_groups:
                g['lr'] = args.lr * scale
            for g in opt_emb.param_groups:
                g['lr'] = args.emb_lr * scale
            rows, mask = collate(fit, idx, args.window, args.stride, args.row_drop, gen)
            z = model(rows, mask, args.dropout)
            loss = loss_of(model, fit, idx, z, args)
            opt_dense.zero_grad()
            opt_emb.zero_grad()
            loss.backward()
            opt_dense.step()
            opt_emb.step()
            model.emb.weight.data[0].zero_()
            run += float(loss) * len(idx)
            seen += len(idx)
            step += 1
        entry = {'epoch': epoch + 1, 'loss': run / max(seen, 1), 'seconds': round(time.time() - te, 1)}
        if dev and not args.refit:
            rep = dev_report(dev, score(model, dev, args))
            entry['dev'] = rep
            a, o = rep['argmax'], rep.get('atOfficial0.5%', {})
            print(f"epoch {epoch + 1}: loss {entry['loss']:.4f} ({entry['seconds']} s) | argmax: official {a.get('officialRaised', 0):.3f} cold R {a.get('coldRecall', 0):.3f} FP {a.get('coldCleanFlagged', 0):.3f} syn F1 {a.get('syntheticMacroF1', 0):.3f} | cold AUC {rep.get('coldAuc', 0):.4f} | @official 0.5%: cold R {o.get('coldRecall', 0):.3f} FP {o.get('coldCleanFlagged', 0):.3f} syn F1 {o.get('syntheticMacroF1', 0):.3f} missed {o.get('syntheticBadMissed', 0):.3f}", flush=True)
        else:
            print(f"epoch {epoch + 1}: loss {entry['loss']:.4f} ({entry['seconds']} s)", flush=True)
        history.append(entry)

    os.makedirs(args.out, exist_ok=True)
    model.eval()
    if args.fp16_embeddings:
        # From here on the model is the exported one: its table rounded to float16.
        model.emb.weight.data = model.emb.weight.data.half().float()
    meta = {'options': vars(args), 'vocabulary': vocab, 'rows': vocab + args.buckets, 'radius': model.radius, 'history': history, 'seconds': round(time.time() - t0, 1)}
    json.dump(meta, open(os.path.join(args.out, 'train.json'), 'w'), indent=1, allow_nan=False)
    torch.save(model.state_dict(), os.path.join(args.out, 'model.pt'))
    if dev:
        scored = score(model, dev, args)
        with open(os.path.join(args.out, 'dev_scores.jsonl'), 'w', encoding='utf-8') as f:
            for e, (z, w) in zip(dev, scored):
                f.write(json.dumps({'id': e.id, 'set': e.set, 'label': e.label, 'logits': [round(float(x), 5) for x in z], 'window': w}) + '\n')
        # Parity probe: every window's logits of a few dev texts of each set.
        probe = [e for s in ('synthetic', 'cold', 'official') for e in [x for x in dev if x.set == s][:16]]
        longest = max(dev, key=lambda x: x.n)
        if longest not in probe:
            probe.append(longest)
        with torch.no_grad():
            items = []
            for e in probe:
                rows, mask = collate([e], [0], args.window, args.stride, 0.0, None)
                z = model(rows, mask)[0, : windows_of(e.n, args.window, args.stride)]
                items.append({'id': e.id, 'windowLogits': [[round(float(x), 6) for x in w] for w in z]})
        json.dump(items, open(os.path.join(args.out, 'probe.json'), 'w'))
    if not args.no_export:
        export(model, os.path.join(args.out, 'model.onnx'), args.fp16_embeddings)
    print(f'done in {time.time() - t0:.1f} s', flush=True)


class Exported(nn.Module):
    def __init__(self, model: WindowClassifier, fp16: bool):
        super().__init__()
        self.model = model
        self.table = nn.Parameter(model.emb.weight.data.half(), requires_grad=False) if fp16 else None

    def forward(self, rows, mask):
        return self.model(rows, mask, table=self.table)


def export(model: WindowClassifier, path: str, fp16: bool = False) -> None:
    rows = torch.zeros((2, model.window + 3 * model.stride, 3), dtype=torch.int32)
    mask = torch.ones((2, model.window + 3 * model.stride), dtype=torch.float32)
    torch.onnx.export(Exported(model, fp16), (rows, mask), path, input_names=['rows', 'mask'], output_names=['window_logits'],
                      dynamic_axes={'rows': {0: 'batch', 1: 'positions'}, 'mask': {0: 'batch', 1: 'positions'}, 'window_logits': {0: 'batch', 1: 'windows'}},
                      opset_version=13, do_constant_folding=True)
    with open(path, 'rb') as f:
        print(f'exported {path} ({os.path.getsize(path) / 1e6:.1f} MB, sha256 {hashlib.sha256(f.read()).hexdigest()[:16]})', flush=True)


if __name__ == '__main__':
    main()
