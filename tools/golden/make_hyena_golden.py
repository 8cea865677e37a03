#!/usr/bin/python3
"""Golden tensors for genomamba's HyenaDNA LM, from a minimal PyTorch port of hyena-dna.

What this promises: the architecture and initialisation of hyena-dna's ConvLMHeadModel with an order-2
HyenaOperator mixer, as its hg38 experiment configs build it (emb_dim 5, filter_order 64, short_filter_order 3,
w 10, lr_pos_emb 0 so the positional features are buffers, modulation_lr 0 so the decay rates are too,
residual_in_fp32, tied LM head, pad_vocab_size_multiple 8), rewritten without einops, flash-attn,
torchvision or transformers so that Debian's python3-torch (1.13, CPU) runs it:

  standalone_hyenadna.py / src/models/sequence/hyena.py   fftconv, Sin, PositionalEmbedding,
                                                          ExponentialModulation, HyenaFilter, HyenaOperator
  standalone_hyenadna.py / flash_attn.modules             Mlp (GELU tanh), Block (prenorm, add -> LN -> sublayer)
  src/models/sequence/long_conv_lm.py                     _init_weights, LMBackbone, ConvLMHeadModel (tied head)

Where the two upstream files differ, this follows src/ (what the released checkpoints come from) and DESIGN:
ExponentialModulation's shift is 0 (standalone defaults to 0.05), the filter's D skip ("bias") is used.
Dropout is 0 everywhere (DESIGN: no dropout), so the forward is deterministic.

It builds a tiny seeded model in float32 (the weights are saved as float32), then runs the forward pass, the
next-token cross-entropy and the backward pass in float64, so the saved logits, loss and gradients carry no
rounding of their own: a float32 run of the C# model is compared against them with float32 tolerances, a
float64 run with float64 tolerances.

One deliberate difference: residual_in_fp32 casts the residual to float32 upstream; here it only *raises*
low-precision residuals to float32 (never lowers float64), which is identical for the float32 and bfloat16
models hyena-dna runs and keeps the float64 reference exact.

Output (tests/Genomics.Mamba.Tests/Golden/hyena-tiny/): tensors.bin (raw little-endian tensors, one after the
other) and manifest.json (name, dtype, shape, byte offset of each; config; seed; versions), the format of
make_mamba_golden.py. Names: the model's full state dict with hyena-dna keys (buffers pos_emb.z/t and
modulation.deltas included; the shared sine appears as implicit_filter.1/3/5.freq and the tied head as
lm_head.weight, as in upstream checkpoints), "tokens" (B, L+1) int64 (input = tokens[:, :-1], target =
tokens[:, 1:]), "logits" (B, L, V), "loss" (), "grad/<name>" for every parameter by named_parameters (so once
per shared tensor: the sine's under implicit_filter.1.freq, the head's inside the embedding's).

Run from the repository root:  /usr/bin/python3 tools/golden/make_hyena_golden.py
"""

import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = dict(d_model=16, n_layer=2, d_inner=64, vocab_size=12, pad_vocab_size_multiple=8, order=2,
              filter_order=64, num_inner_mlps=2, short_filter_order=3, emb_dim=5, w=10.0,
              fast_decay_pct=0.3, slow_decay_pct=1.5, target=1e-2, shift=0.0, layer_norm_epsilon=1e-5,
              initializer_range=0.02, batch=2, length=32, l_max=34, seed=20230627)
OUT = os.path.join("tests", "Genomics.Mamba.Tests", "Golden", "hyena-tiny")


def fftconv(u, k, D):
    """u (b, d, l), k (d, l), D (d) -> causal conv of each channel with its filter, plus D u (FFT of size 2l)."""
    seqlen = u.shape[-1]
    fft_size = 2 * seqlen
    k_f = torch.fft.rfft(k, n=fft_size) / fft_size
    u_f = torch.fft.rfft(u.to(dtype=k.dtype), n=fft_size)
    y = torch.fft.irfft(u_f * k_f, n=fft_size, norm="forward")[..., :seqlen]
    out = y + u * D.unsqueeze(-1)
    return out.to(dtype=u.dtype)


class Sin(nn.Module):
    def __init__(self, dim, w):
        super().__init__()
        self.freq = nn.Parameter(w * torch.ones(1, dim))

    def forward(self, x):
        return torch.sin(self.freq * x)


class PositionalEmbedding(nn.Module):
    """Buffers z (1, L, emb_dim) = [t, Re exp(-i f w), Im exp(-i f w)] and t (1, L, 1): lr_pos_emb = 0."""

    def __init__(self, emb_dim, seq_len):
        super().__init__()
        t = torch.linspace(0, 1, seq_len)[None, :, None]
        bands = (emb_dim - 1) // 2
        t_rescaled = torch.linspace(0, seq_len - 1, seq_len)[None, :, None]
        w = 2 * math.pi * t_rescaled / seq_len
        f = torch.linspace(1e-4, bands - 1, bands)[None, None]
        z = torch.exp(-1j * f * w)
        self.register_buffer("z", torch.cat([t, z.real, z.imag], dim=-1))
        self.register_buffer("t", t)

    def forward(self, L):
        return self.z[:, :L], self.t[:, :L]


class ExponentialModulation(nn.Module):
    def __init__(self, d_model, fast_decay_pct, slow_decay_pct, target, shift):
        super().__init__()
        self.shift = shift
        max_decay = math.log(target) / fast_decay_pct
        min_decay = math.log(target) / slow_decay_pct
        self.register_buffer("deltas", torch.linspace(min_decay, max_decay, d_model)[None, None])

    def forward(self, t, x):
        decay = torch.exp(-t * self.deltas.abs())
        return x * (decay + self.shift)


class HyenaFilter(nn.Module):
    def __init__(self, d_model, c):
        super().__init__()
        order = c["filter_order"]
        self.bias = nn.Parameter(torch.randn(d_model))
        act = Sin(order, c["w"])                       # one module, appended after every Linear but the last
        self.pos_emb = PositionalEmbedding(c["emb_dim"], c["l_max"])
        self.implicit_filter = nn.Sequential(nn.Linear(c["emb_dim"], order), act)
        for _ in range(c["num_inner_mlps"]):
            self.implicit_filter.append(nn.Linear(order, order))
            self.implicit_filter.append(act)
        self.implicit_filter.append(nn.Linear(order, d_model, bias=False))
        self.modulation = ExponentialModulation(d_model, c["fast_decay_pct"], c["slow_decay_pct"], c["target"],
                                                c["shift"])

    def filter(self, L):
        z, t = self.pos_emb(L)
        return self.modulation(t, self.implicit_filter(z))

    def forward(self, x, L, k, bias):
        return fftconv(x, k, bias)


class HyenaOperator(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d_model"]
        self.d_model, self.l_max, self.order = d, c["l_max"], c["order"]
        inner_width = d * (self.order + 1)
        self.in_proj = nn.Linear(d, inner_width)
        self.out_proj = nn.Linear(d, d)
        k = c["short_filter_order"]
        self.short_filter = nn.Conv1d(inner_width, inner_width, k, padding=k - 1, groups=inner_width)
        self.filter_fn = HyenaFilter(d * (self.order - 1), c)

    def forward(self, u):
        l = u.size(-2)
        l_filter = min(l, self.l_max)
        u = self.in_proj(u).transpose(1, 2)                                   # b d l
        uc = self.short_filter(u)[..., :l_filter]
        *x, v = uc.split(self.d_model, dim=1)
        k = self.filter_fn.filter(l_filter)[0]                                # (l, (o d))
        k = k.transpose(0, 1).reshape(self.order - 1, self.d_model, l_filter)  # 'l (o d) -> o d l'
        bias = self.filter_fn.bias.reshape(self.order - 1, self.d_model)
        for o, x_i in enumerate(reversed(x[1:])):
            v = v * x_i
            v = self.filter_fn(v, l_filter, k=k[o], bias=bias[o])
        y = (v * x[0]).transpose(1, 2)                                        # b l d
        return self.out_proj(y)


class Mlp(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


def raise_to_fp32(x):
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


class Block(nn.Module):
    """Prenorm: Add -> LN -> mixer -> Add -> LN -> MLP, returning (MLP output, residual). Dropout 0."""

    def __init__(self, c):
        super().__init__()
        d, eps = c["d_model"], c["layer_norm_epsilon"]
        self.mixer = HyenaOperator(c)
        self.norm1 = nn.LayerNorm(d, eps=eps)
        self.mlp = Mlp(d, c["d_inner"])
        self.norm2 = nn.LayerNorm(d, eps=eps)

    def forward(self, hidden_states, residual=None):
        residual = raise_to_fp32(hidden_states + residual if residual is not None else hidden_states)
        hidden_states = self.mixer(self.norm1(residual.to(dtype=self.norm1.weight.dtype)))
        residual = raise_to_fp32(hidden_states + residual)
        hidden_states = self.mlp(self.norm2(residual.to(dtype=self.norm2.weight.dtype)))
        return hidden_states, residual


def _init_weights(module, n_layer, initializer_range=0.02):
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=initializer_range)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, std=initializer_range)
    for name, p in module.named_parameters():
        if name in ["out_proj.weight", "fc2.weight"]:
            nn.init.normal_(p, mean=0.0, std=initializer_range / math.sqrt(2 * n_layer))


class Embeddings(nn.Module):
    def __init__(self, vocab, d):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, d)

    def forward(self, input_ids):
        return self.word_embeddings(input_ids)


class LMBackbone(nn.Module):
    def __init__(self, c, vocab):
        super().__init__()
        self.embeddings = Embeddings(vocab, c["d_model"])
        self.layers = nn.ModuleList([Block(c) for _ in range(c["n_layer"])])
        self.ln_f = nn.LayerNorm(c["d_model"], eps=c["layer_norm_epsilon"])
        self.apply(lambda m: _init_weights(m, c["n_layer"], c["initializer_range"]))

    def forward(self, input_ids):
        hidden_states, residual = self.embeddings(input_ids), None
        for layer in self.layers:
            hidden_states, residual = layer(hidden_states, residual)
        residual = hidden_states + residual if residual is not None else hidden_states
        return self.ln_f(residual.to(dtype=self.ln_f.weight.dtype))


class ConvLMHeadModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        vocab, multiple = c["vocab_size"], c["pad_vocab_size_multiple"]
        if vocab % multiple != 0:
            vocab += multiple - vocab % multiple
        self.backbone = LMBackbone(c, vocab)
        self.lm_head = nn.Linear(c["d_model"], vocab, bias=False)
        self.apply(lambda m: _init_weights(m, c["n_layer"], c["initializer_range"]))   # upstream applies it twice
        self.lm_head.weight = self.backbone.embeddings.word_embeddings.weight           # tie_weights

    def forward(self, input_ids):
        return self.lm_head(self.backbone(input_ids))


def main():
    torch.manual_seed(CONFIG["seed"])
    model = ConvLMHeadModel(CONFIG)
    weights = {k: v.detach().clone() for k, v in model.state_dict().items()}   # float32, every upstream key

    b, l = CONFIG["batch"], CONFIG["length"]
    # DNA-like ids: A C G T (7..10) with a sprinkle of N (11).
    tokens = torch.randint(7, 11, (b, l + 1))
    tokens[torch.rand(b, l + 1) < 0.05] = 11

    model = model.double()
    logits = model(tokens[:, :-1])                                               # (b, l, v)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1))
    loss.backward()

    tensors = [(k, v) for k, v in weights.items()]
    tensors += [("tokens", tokens), ("logits", logits.detach()), ("loss", loss.detach())]
    tensors += [("grad/" + k, p.grad) for k, p in model.named_parameters()]

    os.makedirs(OUT, exist_ok=True)
    manifest = dict(format="genomamba-golden/1", source="tools/golden/make_hyena_golden.py",
                    torch=torch.__version__, config=CONFIG, tensors=[])
    offset = 0
    with open(os.path.join(OUT, "tensors.bin"), "wb") as f:
        for name, t in tensors:
            t = t.detach().contiguous().cpu()
            data = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
            manifest["tensors"].append(dict(name=name, dtype=str(t.dtype).replace("torch.", ""),
                                            shape=list(t.shape), offset=offset, bytes=len(data)))
            f.write(data)
            offset += len(data)
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"{OUT}: {len(tensors)} tensors, {offset} bytes; loss {loss.item():.6f}", file=sys.stderr)


if __name__ == "__main__":
    main()
