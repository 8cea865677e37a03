#!/usr/bin/python3
"""Golden tensors for genomamba's Mamba LM, from a minimal PyTorch port of mamba_ssm.

What this promises: the architecture and initialisation of mamba_ssm's MambaLMHeadModel with
rms_norm=True, fused_add_norm=True, residual_in_fp32=True, tie_embeddings=True (mamba_ssm's defaults),
rewritten without CUDA, Triton or einops so that Debian's python3-torch (1.13, CPU) runs it:

  mamba_ssm/modules/mamba_simple.py       Mamba           -> Mamba below (the slow path, selective_scan_ref)
  mamba_ssm/modules/block.py              Block           -> Block (fused add+norm semantics: Add -> RMSNorm -> Mixer)
  mamba_ssm/ops/triton/layer_norm.py      rms_norm_ref    -> rms_norm
  mamba_ssm/ops/selective_scan_interface  selective_scan_ref -> selective_scan_ref
  mamba_ssm/models/mixer_seq_simple.py    _init_weights, MixerModel, MambaLMHeadModel

It builds a tiny seeded model in float32 (the weights are saved as float32), then runs the forward pass,
the next-token cross-entropy and the backward pass in float64, so the saved logits, loss and gradients
carry no rounding of their own: a float32 run of the C# model is compared against them with float32
tolerances, a float64 run with float64 tolerances.

One deliberate difference: residual_in_fp32 casts the residual to float32 upstream; here it only
*raises* low-precision residuals to float32 (never lowers float64), which is identical for the float32
and bfloat16 models mamba_ssm runs and keeps the float64 reference exact.

Output (tests/Genomics.Mamba.Tests/Golden/mamba-tiny/): tensors.bin (raw little-endian tensors, one
after the other) and manifest.json (name, dtype, shape, byte offset of each; config; seed; versions).
Names: mamba_ssm state-dict keys for the weights (lm_head.weight included: it is the embedding),
"tokens" (B, L+1) int64 (input = tokens[:, :-1], target = tokens[:, 1:]), "logits" (B, L, V), "loss" (),
"grad/<key>" for every parameter (the tied head's gradient is inside grad/backbone.embedding.weight).

Run from the repository root:  /usr/bin/python3 tools/golden/make_mamba_golden.py
"""

import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = dict(d_model=16, n_layer=2, vocab_size=12, pad_vocab_size_multiple=16, d_state=16, d_conv=4,
              expand=2, dt_rank="auto", dt_min=1e-3, dt_max=0.1, dt_init_floor=1e-4, dt_scale=1.0,
              norm_epsilon=1e-5, initializer_range=0.02, batch=2, length=33, seed=20231201)
OUT = os.path.join("tests", "Genomics.Mamba.Tests", "Golden", "mamba-tiny")


def selective_scan_ref(u, delta, A, B, C, D=None, z=None, delta_bias=None, delta_softplus=False):
    """u, delta, z (b, d, l); A (d, n); B, C (b, n, l); D, delta_bias (d) -> out (b, d, l). Real A only."""
    if delta_bias is not None:
        delta = delta + delta_bias[..., None]
    if delta_softplus:
        delta = F.softplus(delta)
    batch, dim, dstate = u.shape[0], A.shape[0], A.shape[1]
    x = A.new_zeros((batch, dim, dstate))
    delta_a = torch.exp(torch.einsum("bdl,dn->bdln", delta, A))
    delta_b_u = torch.einsum("bdl,bnl,bdl->bdln", delta, B, u)
    ys = []
    for i in range(u.shape[2]):
        x = delta_a[:, :, i] * x + delta_b_u[:, :, i]
        ys.append(torch.einsum("bdn,bn->bd", x, C[:, :, i]))
    y = torch.stack(ys, dim=2)
    out = y if D is None else y + u * D[:, None]
    return out if z is None else out * F.silu(z)


def rms_norm(x, weight, eps, residual=None, prenorm=False, residual_in_fp32=False):
    """rms_norm_ref (no bias, no dropout): returns the normalised x + residual, and that sum when prenorm."""
    if residual is not None:
        x = x + residual
    if residual_in_fp32 and x.dtype in (torch.float16, torch.bfloat16):
        x = x.float()
    rstd = 1 / torch.sqrt(x.square().mean(dim=-1, keepdim=True) + eps)
    out = x * rstd * weight
    return (out, x) if prenorm else out


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))


class Mamba(nn.Module):
    def __init__(self, d_model, d_state, d_conv, expand, dt_rank, dt_min, dt_max, dt_init_floor, dt_scale):
        super().__init__()
        self.d_state, self.d_conv = d_state, d_conv
        self.d_inner = int(expand * d_model)
        self.dt_rank = math.ceil(d_model / 16) if dt_rank == "auto" else dt_rank
        self.in_proj = nn.Linear(d_model, self.d_inner * 2, bias=False)
        self.conv1d = nn.Conv1d(self.d_inner, self.d_inner, kernel_size=d_conv, groups=self.d_inner,
                                padding=d_conv - 1, bias=True)
        self.x_proj = nn.Linear(self.d_inner, self.dt_rank + 2 * d_state, bias=False)
        self.dt_proj = nn.Linear(self.dt_rank, self.d_inner, bias=True)
        std = self.dt_rank ** -0.5 * dt_scale
        nn.init.uniform_(self.dt_proj.weight, -std, std)
        dt = torch.exp(torch.rand(self.d_inner) * (math.log(dt_max) - math.log(dt_min))
                       + math.log(dt_min)).clamp(min=dt_init_floor)
        with torch.no_grad():
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))   # inverse softplus
        self.dt_proj.bias._no_reinit = True
        a = torch.arange(1, d_state + 1, dtype=torch.float32).repeat(self.d_inner, 1).contiguous()
        self.A_log = nn.Parameter(torch.log(a))
        self.D = nn.Parameter(torch.ones(self.d_inner))
        self.out_proj = nn.Linear(self.d_inner, d_model, bias=False)

    def forward(self, hidden_states):
        """(b, l, d) -> (b, l, d): the slow path of mamba_simple.Mamba.forward, without inference params."""
        seqlen = hidden_states.shape[1]
        xz = self.in_proj(hidden_states).transpose(1, 2)                  # (b, 2e, l)
        x, z = xz.chunk(2, dim=1)
        x = F.silu(self.conv1d(x)[..., :seqlen])
        x_dbl = self.x_proj(x.transpose(1, 2))                            # (b, l, r + 2n)
        dt, B, C = torch.split(x_dbl, [self.dt_rank, self.d_state, self.d_state], dim=-1)
        dt = (dt @ self.dt_proj.weight.t()).transpose(1, 2)               # (b, e, l), no bias
        A = -torch.exp(self.A_log)
        y = selective_scan_ref(x, dt, A, B.transpose(1, 2), C.transpose(1, 2), self.D, z=z,
                               delta_bias=self.dt_proj.bias, delta_softplus=True)
        return self.out_proj(y.transpose(1, 2))


class Block(nn.Module):
    def __init__(self, d_model, mixer, eps):
        super().__init__()
        self.norm = RMSNorm(d_model, eps)
        self.mixer = mixer

    def forward(self, hidden_states, residual=None):
        hidden_states, residual = rms_norm(hidden_states, self.norm.weight, self.norm.eps, residual=residual,
                                           prenorm=True, residual_in_fp32=True)
        return self.mixer(hidden_states), residual


def _init_weights(module, n_layer, initializer_range=0.02, n_residuals_per_layer=1):
    if isinstance(module, nn.Linear):
        if module.bias is not None and not getattr(module.bias, "_no_reinit", False):
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, std=initializer_range)
    for name, p in module.named_parameters():
        if name in ["out_proj.weight", "fc2.weight"]:
            nn.init.kaiming_uniform_(p, a=math.sqrt(5))
            with torch.no_grad():
                p /= math.sqrt(n_residuals_per_layer * n_layer)


class MixerModel(nn.Module):
    def __init__(self, c, vocab_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, c["d_model"])
        self.layers = nn.ModuleList([
            Block(c["d_model"], Mamba(c["d_model"], c["d_state"], c["d_conv"], c["expand"], c["dt_rank"],
                                      c["dt_min"], c["dt_max"], c["dt_init_floor"], c["dt_scale"]),
                  c["norm_epsilon"])
            for _ in range(c["n_layer"])])
        self.norm_f = RMSNorm(c["d_model"], c["norm_epsilon"])
        self.apply(lambda m: _init_weights(m, c["n_layer"], c["initializer_range"]))

    def forward(self, input_ids):
        hidden_states, residual = self.embedding(input_ids), None
        for layer in self.layers:
            hidden_states, residual = layer(hidden_states, residual)
        return rms_norm(hidden_states, self.norm_f.weight, self.norm_f.eps, residual=residual,
                        prenorm=False, residual_in_fp32=True)


class MambaLMHeadModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        vocab = c["vocab_size"]
        multiple = c["pad_vocab_size_multiple"]
        if vocab % multiple != 0:
            vocab += multiple - vocab % multiple
        self.backbone = MixerModel(c, vocab)
        self.lm_head = nn.Linear(c["d_model"], vocab, bias=False)
        self.apply(lambda m: _init_weights(m, c["n_layer"], c["initializer_range"]))   # upstream applies it twice
        self.lm_head.weight = self.backbone.embedding.weight                            # tie_embeddings

    def forward(self, input_ids):
        return self.lm_head(self.backbone(input_ids))


def main():
    torch.manual_seed(CONFIG["seed"])
    model = MambaLMHeadModel(CONFIG)
    weights = {k: v.detach().clone() for k, v in model.state_dict().items()}   # float32, lm_head.weight included

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
    manifest = dict(format="genomamba-golden/1", source="tools/golden/make_mamba_golden.py",
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
