"""Fine-tune a sentence encoder into a commit classifier that `train train
--model transformer --import DIR` imports.

The encoder is an ONNX export (model.onnx taking input_ids, attention_mask
and token_type_ids, giving last_hidden_state; tokenizer.json beside it), as
`scripts/setup.sh encoder all-minilm-l6-v2` fetches it. onnx2torch turns it
into a PyTorch module whose initializers become trainable parameters; mean
pooling and a linear head follow, and the whole is fine-tuned on the texts
`train texts` writes (records marked valid are left out of training and
scored). The result is exported as an ONNX sequence classifier (inputs
input_ids and attention_mask, output logits), kept int8-quantised when that
holds its validation macro-F1, with tokenizer.json, label_mapping.json and
training.json (the text recipe, data fingerprint, repositories and scores).
"""

import argparse
import gzip
import hashlib
import json
import os
import shutil
import sys
import time

import numpy as np
import onnx
import onnx2torch
import onnxruntime
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer

# Text recipe the texts were written by (classify.TextSubjectPaths).
DEFAULT_TEXT = "subject_paths"
# A quantised model is kept when it loses at most this much macro-F1.
QUANT_TOLERANCE = 0.005


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--encoder", required=True, help="directory of the encoder's model.onnx and tokenizer.json")
    p.add_argument("--texts", required=True, help="JSONL(.gz) of `train texts`")
    p.add_argument("--labels", required=True, help="labels.json, whose order the logit columns follow")
    p.add_argument("--out", required=True, help="directory to write the classifier into")
    p.add_argument("--text", default=DEFAULT_TEXT, help="text recipe the texts were written by")
    p.add_argument("--max-examples", type=int, default=10000, help="class-balanced sample of training commits (0: all)")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--max-length", type=int, default=64, help="tokens per text")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr-encoder", type=float, default=5e-5)
    p.add_argument("--lr-head", type=float, default=1e-3)
    p.add_argument("--valid-max", type=int, default=3000, help="validation commits scored to choose float or int8")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--setfit-pairs", type=int, default=0,
                   help="train SetFit-style instead: the encoder on this many pairs of commits (alike when they share a label), then the head on its frozen embeddings")
    p.add_argument("--head-epochs", type=int, default=20, help="epochs of the head over the frozen embeddings (with --setfit-pairs)")
    p.add_argument("--checkpoint", default="", help="file the training state is saved to every --checkpoint-every seconds and resumed from")
    p.add_argument("--checkpoint-every", type=float, default=600)
    args = p.parse_args(argv)
    if args.setfit_pairs and args.checkpoint:
        p.error("--checkpoint resumes end-to-end fine-tuning; a SetFit run (--setfit-pairs) has none")
    return args


def read_records(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def vocabulary(path):
    with open(path, encoding="utf-8") as f:
        return [l["name"] for l in json.load(f)["labels"]]


def fingerprint(records):
    """classify.Fingerprint: SHA-256 of the sorted "id NUL [labels]" lines."""
    ids = sorted(r["id"] + "\x00[" + " ".join(r["labels"]) + "]" for r in records)
    h = hashlib.sha256()
    for i in ids:
        h.update(i.encode())
        h.update(b"\n")
    return h.hexdigest()


def balanced_sample(records, labels, n, gen):
    """Draws n records without replacement, each class equally likely
    (a class with too few commits gives all it has)."""
    if n <= 0 or n >= len(records):
        return records
    counts = {l: 0 for l in labels}
    for r in records:
        counts[r["labels"][0]] += 1
    weights = torch.tensor([1.0 / counts[r["labels"][0]] for r in records], dtype=torch.double)
    picked = torch.multinomial(weights, n, replacement=False, generator=gen)
    return [records[i] for i in sorted(picked.tolist())]


class Classifier(torch.nn.Module):
    """The encoder, mean pooling over the attention mask and a linear head."""

    def __init__(self, encoder, width, labels):
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(width, labels)

    def embed(self, input_ids, attention_mask):
        hidden = self.encoder(input_ids, attention_mask, torch.zeros_like(input_ids))
        if isinstance(hidden, (tuple, list)):
            hidden = hidden[0]
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def forward(self, input_ids, attention_mask):
        return self.head(self.embed(input_ids, attention_mask))


def load_encoder(path):
    """The ONNX encoder as a module whose float initializers train
    (onnx2torch registers them as buffers)."""
    proto = onnx.load(path)
    # Writers with proto3 semantics (onnxgraph's) leave a zero INT or FLOAT
    # attribute unset, which onnx2torch reads as no value.
    for node in proto.graph.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.INT and not a.HasField("i"):
                a.i = 0
            elif a.type == onnx.AttributeProto.FLOAT and not a.HasField("f"):
                a.f = 0.0
    encoder = onnx2torch.convert(proto)
    inits = encoder.initializers
    for name, buf in list(inits.named_buffers(recurse=False)):
        if buf.is_floating_point():
            delattr(inits, name)
            inits.register_parameter(name, torch.nn.Parameter(buf.clone()))
    return encoder


def hidden_width(encoder, tok):
    ids, mask = batch_tensors(tok, ["width"])
    with torch.no_grad():
        out = encoder(ids, mask, torch.zeros_like(ids))
    return (out[0] if isinstance(out, (tuple, list)) else out).shape[-1]


def batch_tensors(tok, texts):
    encs = tok.encode_batch(texts)
    width = max(len(e.ids) for e in encs)
    ids = torch.zeros((len(encs), width), dtype=torch.long)
    mask = torch.zeros((len(encs), width), dtype=torch.long)
    for i, e in enumerate(encs):
        ids[i, : len(e.ids)] = torch.tensor(e.ids)
        mask[i, : len(e.ids)] = 1
    return ids, mask


def weighted_loss(model, records, column):
    """Cross-entropy with inverse-frequency class weights (mean 1 over the
    present classes): equal after balanced sampling, the imbalance's
    correction without it."""
    counts = torch.zeros(model.head.out_features)
    for r in records:
        counts[column[r["labels"][0]]] += 1
    present = counts > 0
    weights = torch.where(present, 1.0 / counts.clamp(min=1), torch.zeros_like(counts))
    return torch.nn.CrossEntropyLoss(weight=weights / weights[present].mean())


def warmup_decay(opt, steps):
    """A linear warm-up over the first 16th of the steps, then a linear decay to 0."""
    warmup = max(1, steps // 16)
    return torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )


def train_setfit(model, tok, records, column, args, gen):
    """SetFit (Tunstall et al. 2022): the encoder learns that the embeddings
    of two commits are alike (cosine 1) when they share a label and unlike
    (cosine 0) otherwise; the head then learns from its frozen embeddings."""
    start = time.time()
    by_label = {}
    for r in records:
        by_label.setdefault(column[r["labels"][0]], []).append(r)
    classes = sorted(by_label)

    def pick(c):
        group = by_label[c]
        return group[int(torch.randint(len(group), (1,), generator=gen))]

    pairs = []
    for i in range(args.setfit_pairs):
        c = classes[int(torch.randint(len(classes), (1,), generator=gen))]
        if i % 2 == 0 or len(classes) == 1:
            pairs.append((pick(c)["text"], pick(c)["text"], 1.0))
        else:
            other = [k for k in classes if k != c]
            pairs.append((pick(c)["text"], pick(other[int(torch.randint(len(other), (1,), generator=gen))])["text"], 0.0))
    head_ids = {id(p) for p in model.head.parameters()}
    opt = torch.optim.AdamW([p for p in model.parameters() if id(p) not in head_ids], lr=args.lr_encoder)
    steps = (len(pairs) + args.batch - 1) // args.batch
    sched = warmup_decay(opt, steps)
    model.train()
    for step, b in enumerate(range(0, len(pairs), args.batch), 1):
        batch = pairs[b : b + args.batch]
        left = model.embed(*batch_tensors(tok, [p[0] for p in batch]))
        right = model.embed(*batch_tensors(tok, [p[1] for p in batch]))
        target = torch.tensor([p[2] for p in batch])
        loss = torch.nn.functional.mse_loss(torch.nn.functional.cosine_similarity(left, right), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0 or step == steps:
            rate = step * args.batch / (time.time() - start)
            print(f"finetune: setfit pairs step {step}/{steps} loss {loss.item():.3f} ({rate:.1f} pairs/s)", file=sys.stderr)

    model.eval()
    with torch.no_grad():
        embeddings = torch.cat([model.embed(*batch_tensors(tok, [r["text"] for r in records[b : b + 64]]))
                                for b in range(0, len(records), 64)])
    target = torch.tensor([column[r["labels"][0]] for r in records])
    loss_fn = weighted_loss(model, records, column)
    opt = torch.optim.AdamW(model.head.parameters(), lr=args.lr_head)
    for epoch in range(args.head_epochs):
        order = torch.randperm(len(records), generator=gen)
        for b in range(0, len(order), args.batch):
            idx = order[b : b + args.batch]
            loss = loss_fn(model.head(embeddings[idx]), target[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"finetune: setfit head epoch {epoch + 1}/{args.head_epochs} loss {loss.item():.3f}", file=sys.stderr)
    return time.time() - start


def train(model, tok, records, column, args, gen):
    loss_fn = weighted_loss(model, records, column)
    head = list(model.head.parameters())
    head_ids = {id(p) for p in head}
    encoder = [p for p in model.parameters() if id(p) not in head_ids]
    opt = torch.optim.AdamW([{"params": encoder, "lr": args.lr_encoder}, {"params": head, "lr": args.lr_head}])
    steps = args.epochs * ((len(records) + args.batch - 1) // args.batch)
    sched = warmup_decay(opt, steps)
    # A checkpoint continues only the run of the same data and recipe.
    data = [fingerprint(records), args.epochs, args.batch, args.max_length, args.lr_encoder, args.lr_head, args.seed]
    state = resume(args, model, opt, sched, gen, data)
    model.train()
    step, spent = state["step"], state["seconds"]
    start = saved = time.time()
    for epoch in range(state["epoch"], args.epochs):
        epoch_gen = gen.get_state()
        order = torch.randperm(len(records), generator=gen).tolist()
        first = state["batch"] if epoch == state["epoch"] else 0
        for b in range(first * args.batch, len(order), args.batch):
            batch = [records[i] for i in order[b : b + args.batch]]
            ids, mask = batch_tensors(tok, [r["text"] for r in batch])
            target = torch.tensor([column[r["labels"][0]] for r in batch])
            loss = loss_fn(model(ids, mask), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0 or step == steps:
                rate = (step - state["step"]) * args.batch / (time.time() - start)
                print(f"finetune: epoch {epoch + 1} step {step}/{steps} loss {loss.item():.3f} ({rate:.1f} commits/s)", file=sys.stderr)
            if args.checkpoint and time.time() - saved >= args.checkpoint_every:
                save_checkpoint(args.checkpoint, model, opt, sched, epoch_gen, data,
                                epoch, b // args.batch + 1, step, spent + time.time() - start)
                saved = time.time()
    spent += time.time() - start
    if args.checkpoint:
        # The finished state: a run cut off while exporting exports again.
        save_checkpoint(args.checkpoint, model, opt, sched, gen.get_state(), data, args.epochs, 0, step, spent)
    return spent


def save_checkpoint(path, model, opt, sched, epoch_gen, data, epoch, batch, step, seconds):
    """Writes the training state atomically: a run cut off resumes from
    the newest checkpoint instead of starting over."""
    tmp = path + ".tmp"
    torch.save({"data": data, "model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                "epoch_gen": epoch_gen, "epoch": epoch, "batch": batch, "step": step, "seconds": seconds}, tmp)
    os.replace(tmp, path)
    print(f"finetune: checkpoint at epoch {epoch + 1} step {step} in {path}", file=sys.stderr)


def resume(args, model, opt, sched, gen, data):
    """Restores the checkpoint of a cut-off run on the same data, or the
    start of training when there is none."""
    start = {"epoch": 0, "batch": 0, "step": 0, "seconds": 0.0}
    if not args.checkpoint or not os.path.exists(args.checkpoint):
        return start
    ck = torch.load(args.checkpoint, weights_only=False)
    if ck["data"] != data:
        raise SystemExit(f"finetune: {args.checkpoint} was written for other training data or settings; remove it to start over")
    model.load_state_dict(ck["model"])
    opt.load_state_dict(ck["opt"])
    sched.load_state_dict(ck["sched"])
    # The generator as the cut-off epoch began draws that epoch's order again.
    gen.set_state(ck["epoch_gen"])
    print(f"finetune: resuming {args.checkpoint} at epoch {ck['epoch'] + 1} step {ck['step']}", file=sys.stderr)
    return {k: ck[k] for k in start}


def export(model, tok, path):
    model.eval()
    ids, mask = batch_tensors(tok, ["fix the parser", "add a flag to the command line"])
    torch.onnx.export(
        model,
        (ids, mask),
        path,
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    onnx.checker.check_model(path)
    with torch.no_grad():
        want = model(ids, mask).numpy()
    got = score_onnx(path, tok, ["fix the parser", "add a flag to the command line"], batch=2)
    if not np.allclose(want, got, atol=1e-3):
        raise SystemExit(f"finetune: the exported model disagrees with PyTorch: {got} vs {want}")


def score_onnx(path, tok, texts, batch=32):
    opts = onnxruntime.SessionOptions()
    sess = onnxruntime.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    out = []
    for b in range(0, len(texts), batch):
        ids, mask = batch_tensors(tok, texts[b : b + batch])
        out.append(sess.run(["logits"], {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0])
    return np.concatenate(out)


def scores(logits, truth, n_labels):
    """Macro-F1 over the labels present in truth, and accuracy."""
    pred = logits.argmax(1)
    f1s = []
    for l in range(n_labels):
        support = int((truth == l).sum())
        if support == 0:
            continue
        hits = int(((pred == l) & (truth == l)).sum())
        predicted = int((pred == l).sum())
        p = hits / predicted if predicted else 0.0
        r = hits / support
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return {"macro_f1": round(float(np.mean(f1s)), 4), "accuracy": round(float((pred == truth).mean()), 4), "examples": int(len(truth))}


def main(argv):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    records = read_records(args.texts)
    train_records = [r for r in records if not r.get("valid")]
    valid_records = [r for r in records if r.get("valid")]
    present = {r["labels"][0] for r in train_records}
    labels = [l for l in vocabulary(args.labels) if l in present]
    column = {l: i for i, l in enumerate(labels)}
    train_records = balanced_sample(train_records, labels, args.max_examples, gen)
    valid_records = [r for r in valid_records if r["labels"][0] in column]
    if args.valid_max and len(valid_records) > args.valid_max:
        keep = torch.randperm(len(valid_records), generator=gen)[: args.valid_max].sort().values.tolist()
        valid_records = [valid_records[i] for i in keep]
    print(f"finetune: {len(train_records)} training commits, {len(valid_records)} validation commits, labels {labels}", file=sys.stderr)

    tok = Tokenizer.from_file(os.path.join(args.encoder, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(args.max_length)
    encoder = load_encoder(os.path.join(args.encoder, "model.onnx"))
    model = Classifier(encoder, hidden_width(encoder, tok), len(labels))
    seconds = (train_setfit if args.setfit_pairs else train)(model, tok, train_records, column, args, gen)

    os.makedirs(args.out, exist_ok=True)
    float_path = os.path.join(args.out, "model.float.onnx")
    int8_path = os.path.join(args.out, "model.int8.onnx")
    export(model, tok, float_path)
    quantize_dynamic(float_path, int8_path, weight_type=QuantType.QInt8)
    result = {}
    if valid_records:
        truth = np.array([column[r["labels"][0]] for r in valid_records])
        texts = [r["text"] for r in valid_records]
        result["float"] = scores(score_onnx(float_path, tok, texts), truth, len(labels))
        result["int8"] = scores(score_onnx(int8_path, tok, texts), truth, len(labels))
        print(f"finetune: validation float {result['float']}, int8 {result['int8']}", file=sys.stderr)
    quantised = not valid_records or result["int8"]["macro_f1"] >= result["float"]["macro_f1"] - QUANT_TOLERANCE
    shutil.move(int8_path if quantised else float_path, os.path.join(args.out, "model.onnx"))
    for leftover in (float_path, int8_path):
        if os.path.exists(leftover):
            os.remove(leftover)
    shutil.copyfile(os.path.join(args.encoder, "tokenizer.json"), os.path.join(args.out, "tokenizer.json"))
    with open(os.path.join(args.out, "label_mapping.json"), "w", encoding="utf-8") as f:
        json.dump({"id2label": {str(i): l for i, l in enumerate(labels)}}, f, indent=2)
    training = {
        "text": args.text,
        "max_length": args.max_length,
        "fingerprint": fingerprint(train_records),
        "train_examples": len(train_records),
        "train_repos": sorted({r["repo"] for r in train_records}),
        "train_seconds": round(seconds, 1),
        "valid_repos": sorted({r["repo"] for r in valid_records}),
        "quantised": quantised,
        "scores": result,
        "recipe": {
            "encoder": open(os.path.join(args.encoder, "SOURCE")).read().strip()
            if os.path.exists(os.path.join(args.encoder, "SOURCE"))
            else args.encoder,
            "method": "setfit" if args.setfit_pairs else "finetune",
            "epochs": args.epochs,
            "setfit_pairs": args.setfit_pairs,
            "head_epochs": args.head_epochs if args.setfit_pairs else 0,
            "max_examples": args.max_examples,
            "batch": args.batch,
            "lr_encoder": args.lr_encoder,
            "lr_head": args.lr_head,
            "seed": args.seed,
            "torch": torch.__version__,
            "onnx2torch": onnx2torch.__version__ if hasattr(onnx2torch, "__version__") else "",
        },
    }
    with open(os.path.join(args.out, "training.json"), "w", encoding="utf-8") as f:
        json.dump(training, f, indent=2)
    print(f"finetune: wrote {args.out} ({'int8' if quantised else 'float'}, {seconds:.0f} s of training)", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
