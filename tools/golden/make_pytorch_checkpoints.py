#!/usr/bin/python3
"""PyTorch-side checkpoint fixtures for genomamba's import/export tests, and a checker for files genomamba exports.

What this promises: the golden tiny models (Golden/mamba-tiny, Golden/hyena-tiny, made by make_mamba_golden.py and
make_hyena_golden.py) saved the ways upstream saves them, so the C# importers are tested against files PyTorch wrote:

  <model>/pytorch_model.bin   torch.save(model.state_dict()) as mamba_ssm's save_pretrained writes it (tied
                              lm_head.weight shares the embedding's storage; hyena-dna's shared sine is one tensor
                              under implicit_filter.1/3/5.freq)
  <model>/lightning.ckpt      a PyTorch Lightning checkpoint as hyena-dna's training runs save it: {"state_dict":
                              {"model.backbone.…": …, "model.lm_head.weight": …}, "epoch", "global_step",
                              "optimizer_states", "lr_schedulers", "callbacks" (with a defaultdict), and
                              "hyper_parameters" as an OmegaConf DictConfig (needs python3-omegaconf)
  hyena-tiny/lightning-checkpointed.ckpt
                              the same from a run with checkpoint_mixer/checkpoint_mlp, whose keys carry an extra
                              ".layer" (model.backbone.layers.0.mixer.layer.in_proj.weight), as huggingface.py's
                              inject_substring expects
  <model>/config.json         the config upstream reads: mamba_ssm's MambaConfig fields (mamba_ssm 2.x, which has
                              tie_embeddings), hyena-dna's HyenaDNAModel kwargs (the released config.json layout)
  <model>/model.safetensors   the state dict in safetensors, written by hand here (json header + raw bytes), so the
                              C# reader is checked against a writer it does not share code with

All torch.save calls use the zip format (torch >= 1.6 default; TorchSharp.PyBridge reads only that).

Checker (used by the C# tests when /usr/bin/python3 has torch):
  make_pytorch_checkpoints.py --verify DIR --golden mamba-tiny|hyena-tiny
reads DIR/model.safetensors with a tiny safetensors reader (json + torch.frombuffer, no safetensors package) and
DIR/config.json, checks the keys, dtypes and shapes against the golden state dict and the tensors bit for bit, builds
the golden script's PyTorch port from the config.json alone, loads the tensors strictly, and compares its float64
logits on the golden tokens with the golden logits. Prints one JSON line; exit status 0 when everything agrees.

  make_pytorch_checkpoints.py --verify-checkpoint FILE.gmckpt --golden mamba-tiny|hyena-tiny
reads a genomamba checkpoint with the format's documented layout (magic, version, JSON header, tensors at 64-byte
aligned offsets; the XXH64 trailer is not checked: Debian's python has no xxhash by default), restores upstream's
aliases (tied lm_head.weight, the shared sine), and checks tensors and logits against the golden set the same way.

Run from the repository root (Debian's PyTorch 1.13, CPU; not the pyenv python on PATH):
  /usr/bin/python3 tools/golden/make_pytorch_checkpoints.py
"""

import collections
import json
import os
import struct
import sys

import torch

GOLDEN = os.path.join("tests", "Genomics.Mamba.Tests", "Golden")
OUT = os.path.join(GOLDEN, "checkpoints")
DTYPES = {"float32": (torch.float32, "F32"), "float64": (torch.float64, "F64"), "int64": (torch.int64, "I64")}
SAFETENSORS_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
                      "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
                      "BOOL": torch.bool}
# mamba_ssm 2.x MambaConfig's dataclass fields: from_pretrained does MambaConfig(**config.json), so no other key may appear.
MAMBA_CONFIG_FIELDS = {"d_model", "d_intermediate", "n_layer", "vocab_size", "ssm_cfg", "attn_layer_idx", "attn_cfg",
                       "rms_norm", "residual_in_fp32", "fused_add_norm", "pad_vocab_size_multiple", "tie_embeddings"}


def load_golden(name):
    """(config dict, {name: tensor}) of a golden set, tensors in file order."""
    d = os.path.join(GOLDEN, name)
    with open(os.path.join(d, "manifest.json")) as f:
        manifest = json.load(f)
    with open(os.path.join(d, "tensors.bin"), "rb") as f:
        blob = f.read()
    tensors = collections.OrderedDict()
    for e in manifest["tensors"]:
        dtype = DTYPES[e["dtype"]][0]
        raw = bytearray(blob[e["offset"]:e["offset"] + e["bytes"]])
        t = torch.frombuffer(raw, dtype=dtype) if e["bytes"] else torch.empty(0, dtype=dtype)
        tensors[e["name"]] = t.reshape(e["shape"]).clone()
    return manifest["config"], tensors


def weights_of(tensors):
    return collections.OrderedDict((k, v) for k, v in tensors.items() if k.startswith("backbone.") or k == "lm_head.weight")


def share_tied(state):
    """Make aliases one tensor, as in a live upstream model: lm_head.weight is the embedding, the sine freqs one Parameter."""
    state = collections.OrderedDict(state)
    for emb in ("backbone.embedding.weight", "backbone.embeddings.word_embeddings.weight"):
        if emb in state and "lm_head.weight" in state:
            assert torch.equal(state[emb], state["lm_head.weight"])
            state["lm_head.weight"] = state[emb]
    for k in list(state):
        if k.endswith(".freq") and ".implicit_filter." in k:
            canonical = k.rsplit("implicit_filter.", 1)[0] + "implicit_filter.1.freq"
            assert torch.equal(state[k], state[canonical])
            state[k] = state[canonical]
    return state


def mamba_config_json(c):
    ssm = dict(d_state=c["d_state"], d_conv=c["d_conv"], expand=c["expand"], dt_rank=c["dt_rank"], dt_min=c["dt_min"],
               dt_max=c["dt_max"], dt_init="random", dt_scale=c["dt_scale"], dt_init_floor=c["dt_init_floor"],
               conv_bias=True, bias=False)
    return dict(d_model=c["d_model"], d_intermediate=0, n_layer=c["n_layer"], vocab_size=c["vocab_size"], ssm_cfg=ssm,
                attn_layer_idx=[], attn_cfg={}, rms_norm=True, residual_in_fp32=True, fused_add_norm=True,
                pad_vocab_size_multiple=c["pad_vocab_size_multiple"], tie_embeddings=True)


def hyena_config_json(c):
    """hyena-dna's released config.json layout (HyenaDNAModel kwargs, the mixer's under "layer")."""
    layer = {"_name_": "hyena", "emb_dim": c["emb_dim"], "filter_order": c["filter_order"],
             "short_filter_order": c["short_filter_order"], "l_max": c["l_max"], "order": c["order"], "modulate": True,
             "w": c["w"], "num_inner_mlps": c["num_inner_mlps"], "fast_decay_pct": c["fast_decay_pct"],
             "slow_decay_pct": c["slow_decay_pct"], "target": c["target"], "shift": c["shift"], "lr": 6e-4, "wd": 0.0,
             "lr_pos_emb": 0.0}
    return {"d_model": c["d_model"], "n_layer": c["n_layer"], "d_inner": c["d_inner"], "vocab_size": c["vocab_size"],
            "resid_dropout": 0.0, "embed_dropout": 0.0, "fused_mlp": False, "fused_dropout_add_ln": False,
            "checkpoint_mixer": False, "checkpoint_mlp": False, "residual_in_fp32": True,
            "pad_vocab_size_multiple": c["pad_vocab_size_multiple"], "layer_norm_epsilon": c["layer_norm_epsilon"],
            "initializer_cfg": {"initializer_range": c["initializer_range"]}, "layer": layer}


def write_safetensors(path, state, metadata):
    """The safetensors layout by hand: u64 LE header length, JSON header (space-padded to 8), contiguous raw data."""
    header, chunks, offset = {"__metadata__": metadata}, [], 0
    for k, t in state.items():
        raw = t.detach().contiguous().numpy().tobytes()
        header[k] = {"dtype": DTYPES[str(t.dtype).replace("torch.", "")][1], "shape": list(t.shape),
                     "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


def read_safetensors(path):
    """(metadata, {name: tensor}) from a safetensors file, checking the layout as the safetensors library does."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    body = bytearray(data[8 + n:])
    tensors, end = collections.OrderedDict(), 0
    for k, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, stop = e["data_offsets"]
        assert begin == end, f"{k}: data_offsets leave a gap or overlap at {begin}"
        dtype = SAFETENSORS_DTYPES[e["dtype"]]
        t = torch.frombuffer(body[begin:stop], dtype=dtype) if stop > begin else torch.empty(0, dtype=dtype)
        tensors[k] = t.reshape(e["shape"])
        end = stop
    assert end == len(body), f"data section is {len(body)} bytes, tensors cover {end}"
    return metadata, tensors


GMCKPT_DTYPES = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
                 "bfloat16": torch.bfloat16, "int64": torch.int64, "int32": torch.int32, "int16": torch.int16,
                 "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool}


def read_gmckpt(path):
    """(header, {name: tensor} of the model section) from a genomamba checkpoint (Genomics.Mamba/Checkpoints/README.md)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:6] == b"GMCKPT", "not a genomamba checkpoint"
    (version,) = struct.unpack("<H", data[6:8])
    assert version == 1, f"format version {version}"
    (n,) = struct.unpack("<Q", data[8:16])
    header = json.loads(data[16:16 + n])
    start = (16 + n + 63) // 64 * 64
    assert len(data) == start + header["data_bytes"] + 8, "truncated or trailing bytes"
    body = bytearray(data[start:start + header["data_bytes"]])
    state = collections.OrderedDict()
    for t in header["tensors"]:
        if t["section"] != "model":
            continue
        dtype = GMCKPT_DTYPES[t["dtype"]]
        raw = body[t["offset"]:t["offset"] + t["bytes"]]
        state[t["name"]] = (torch.frombuffer(raw, dtype=dtype) if t["bytes"] else torch.empty(0, dtype=dtype)).reshape(t["shape"])
    return header, state


def with_upstream_aliases(state):
    """genomamba stores a tied or shared tensor once; upstream's state_dict lists it under every name."""
    state = collections.OrderedDict(state)
    for emb in ("backbone.embedding.weight", "backbone.embeddings.word_embeddings.weight"):
        if emb in state and "lm_head.weight" not in state:
            state["lm_head.weight"] = state[emb]
    for k in list(state):
        if k.endswith("implicit_filter.1.freq"):
            prefix = k[:-len("1.freq")]
            i = 3
            while any(key.startswith(f"{prefix}{i + 1}.") for key in state):   # a Sin at i is followed by a Linear
                state[f"{prefix}{i}.freq"] = state[k]
                i += 2
    return state


def upstream_config_of(model):
    """The upstream config.json equivalent of a checkpoint header's "model" (genomamba's snake_case config fields)."""
    c = model["config"]
    if model["kind"] == "mamba":
        ssm = dict(d_state=c["d_state"], d_conv=c["d_conv"], expand=c["expand"], dt_rank=c["dt_rank"])
        return dict(d_model=c["d_model"], d_intermediate=0, n_layer=c["n_layer"], vocab_size=c["vocab_size"],
                    ssm_cfg=ssm, rms_norm=True, residual_in_fp32=c["residual_in_fp32"], fused_add_norm=True,
                    pad_vocab_size_multiple=c["pad_vocab_size_multiple"], tie_embeddings=c["tie_embeddings"])
    layer = {"_name_": "hyena", "emb_dim": c["emb_dim"], "filter_order": c["filter_order"],
             "short_filter_order": c["short_filter_order"], "l_max": c["max_length"], "order": c["order"],
             "w": c["sine_frequency"], "num_inner_mlps": c["filter_inner_layers"], "fast_decay_pct": c["fast_decay_pct"],
             "slow_decay_pct": c["slow_decay_pct"], "target": c["decay_target"], "shift": c["modulation_shift"]}
    return {"d_model": c["d_model"], "n_layer": c["n_layer"], "d_inner": c["d_inner"], "vocab_size": c["vocab_size"],
            "pad_vocab_size_multiple": c["pad_vocab_size_multiple"], "layer_norm_epsilon": c["layer_norm_eps"],
            "layer": layer}


def lightning(state, checkpointed=False):
    """A PyTorch Lightning checkpoint dict around a state dict, as hyena-dna's SequenceLightningModule saves it."""
    def key(k):
        k = "model." + k
        if checkpointed:
            k = k.replace(".mixer.", ".mixer.layer.").replace(".mlp.", ".mlp.layer.")
        return k
    sd = collections.OrderedDict((key(k), v) for k, v in state.items())
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("model", {"version": 1})])
    first = next(iter(state.values()))
    return {
        "epoch": 3,
        "global_step": 120,
        "pytorch-lightning_version": "1.8.6",
        "state_dict": sd,
        "loops": {"fit_loop": {"epoch_progress": {"current": {"completed": 3}}}},
        "callbacks": {"ModelCheckpoint{'monitor': 'val/loss', 'mode': 'min'}": {
            "monitor": "val/loss", "best_model_score": torch.tensor(1.25), "best_model_path": "checkpoints/val/loss.ckpt",
            "best_k_models": collections.defaultdict(float, {"checkpoints/val/loss.ckpt": torch.tensor(1.25)})}},
        "optimizer_states": [{"state": {0: {"step": torch.tensor(120.0), "exp_avg": torch.zeros_like(first),
                                            "exp_avg_sq": torch.zeros_like(first)}},
                              "param_groups": [{"lr": 6e-4, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.1,
                                                "params": [0]}]}],
        "lr_schedulers": [{"last_epoch": 120, "_step_count": 121, "base_lrs": [6e-4]}],
        "hparams_name": "config",
        "hyper_parameters": hyper_parameters(),
    }


def hyper_parameters():
    """hyena-dna's save_hyperparameters(config) pickles an OmegaConf DictConfig (with defaultdicts and enums inside),
    the objects that trip a naive unpickler; plain dicts when python3-omegaconf is not installed."""
    config = {"model": {"_name_": "lm", "d_model": 16, "layer": {"_name_": "hyena", "l_max": 34}},
              "train": {"seed": 2222, "interval": "step"}, "dataset": {"max_length": 32, "tokenizer": None}}
    try:
        from omegaconf import OmegaConf
    except ImportError:
        print("warning: python3-omegaconf missing; hyper_parameters saved as plain dicts", file=sys.stderr)
        return config
    return OmegaConf.create(config)


def make(name, config_json):
    config, tensors = load_golden(name)
    weights = weights_of(tensors)
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    tied = share_tied(weights)
    torch.save(tied, os.path.join(d, "pytorch_model.bin"))
    torch.save(lightning(tied), os.path.join(d, "lightning.ckpt"))
    if name.startswith("hyena"):
        torch.save(lightning(tied, checkpointed=True), os.path.join(d, "lightning-checkpointed.ckpt"))
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config_json(config), f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(d, "model.safetensors"), weights, {"format": "pt"})
    print(f"{d}: {len(weights)} tensors", file=sys.stderr)


def port_model(name, config_json):
    """The golden script's PyTorch port, built from an upstream config.json alone."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if name.startswith("mamba"):
        import make_mamba_golden as g
        s = config_json["ssm_cfg"]
        c = dict(g.CONFIG, d_model=config_json["d_model"], n_layer=config_json["n_layer"],
                 vocab_size=config_json["vocab_size"], pad_vocab_size_multiple=config_json["pad_vocab_size_multiple"],
                 d_state=s["d_state"], d_conv=s["d_conv"], expand=s["expand"], dt_rank=s["dt_rank"])
        assert set(config_json) <= MAMBA_CONFIG_FIELDS, f"keys mamba_ssm's MambaConfig rejects: {set(config_json) - MAMBA_CONFIG_FIELDS}"
        assert config_json["rms_norm"] and config_json["tie_embeddings"] and config_json["d_intermediate"] == 0
        return g.MambaLMHeadModel(c)
    import make_hyena_golden as g
    layer = config_json["layer"]
    assert layer["_name_"] == "hyena"
    c = dict(g.CONFIG, d_model=config_json["d_model"], n_layer=config_json["n_layer"], d_inner=config_json["d_inner"],
             vocab_size=config_json["vocab_size"], pad_vocab_size_multiple=config_json["pad_vocab_size_multiple"],
             layer_norm_epsilon=config_json["layer_norm_epsilon"], order=layer["order"],
             filter_order=layer["filter_order"], num_inner_mlps=layer["num_inner_mlps"],
             short_filter_order=layer["short_filter_order"], emb_dim=layer["emb_dim"], w=layer["w"],
             fast_decay_pct=layer["fast_decay_pct"], slow_decay_pct=layer["slow_decay_pct"], target=layer["target"],
             shift=layer["shift"], l_max=layer["l_max"])
    return g.ConvLMHeadModel(c)


def verify(directory, name, checkpoint=None):
    _, golden = load_golden(name)
    expected = weights_of(golden)
    if checkpoint is None:
        metadata, got = read_safetensors(os.path.join(directory, "model.safetensors"))
        with open(os.path.join(directory, "config.json")) as f:
            config_json = json.load(f)
    else:
        header, got = read_gmckpt(checkpoint)
        got = with_upstream_aliases(got)
        metadata = {"genomamba_version": header["genomamba_version"], "step": str(header["step"])}
        config_json = upstream_config_of(header["model"])
    problems = []
    if set(got) != set(expected):
        problems.append(f"keys: missing {sorted(set(expected) - set(got))}, extra {sorted(set(got) - set(expected))}")
    for k in sorted(set(got) & set(expected)):
        a, e = got[k], expected[k]
        if a.dtype != e.dtype or list(a.shape) != list(e.shape):
            problems.append(f"{k}: {a.dtype} {list(a.shape)}, golden {e.dtype} {list(e.shape)}")
        elif not torch.equal(a, e):
            problems.append(f"{k}: values differ (max |diff| {(a.double() - e.double()).abs().max().item():.3e})")
    max_diff = None
    if not problems:
        try:
            model = port_model(name, config_json)
            model.load_state_dict(dict(got), strict=True)
            model = model.double()
            tokens = golden["tokens"]
            with torch.no_grad():
                logits = model(tokens[:, :-1])
            max_diff = (logits - golden["logits"]).abs().max().item()
            if max_diff > 1e-9:
                problems.append(f"logits differ from golden by {max_diff:.3e}")
        except Exception as e:  # report, do not crash: the C# test prints this line
            problems.append(f"port model: {type(e).__name__}: {e}")
    print(json.dumps({"ok": not problems, "tensors": len(got), "metadata": metadata, "logits_max_diff": max_diff,
                      "problems": problems, "torch": torch.__version__}))
    return 0 if not problems else 1


def main(argv):
    if len(argv) == 4 and argv[0] == "--verify-checkpoint" and argv[2] == "--golden":
        return verify(None, argv[3], checkpoint=argv[1])
    if len(argv) >= 1 and argv[0] == "--verify":
        if len(argv) != 4 or argv[2] != "--golden":
            print("usage: make_pytorch_checkpoints.py --verify DIR --golden mamba-tiny|hyena-tiny", file=sys.stderr)
            return 2
        return verify(argv[1], argv[3])
    make("mamba-tiny", mamba_config_json)
    make("hyena-tiny", hyena_config_json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
