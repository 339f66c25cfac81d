"""Gemma 3 (text) in plain PyTorch, read straight from a GGUF file, with LoRA adapters.

Only what fine-tuning the default model needs: the forward pass of llama.cpp's `gemma3`
architecture with the GGUF's own (dequantised) weights, so an adapter trained here is trained
against exactly the weights llama.cpp will add it to. Checked against llama.cpp's logits by
training/check_forward.py. No transformers, no model hub: the GGUF is the only input.

GGUF conventions that matter here: norm weights are stored as (1 + w) already (the converter
adds Gemma's offset), Q/K are not permuted (Gemma uses NEOX-style rotary embeddings), tensor
shapes are (in, out) in GGUF order, i.e. PyTorch's (out, in) after dequantisation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# llama.cpp's gemma3: local (sliding-window) layers use rope base 10k; every 6th layer is global.
LOCAL_ROPE_BASE = 10_000.0
GLOBAL_EVERY = 6
LORA_TARGETS = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")


@dataclass
class Gemma3Config:
    n_layer: int
    n_embd: int
    n_ff: int
    n_head: int
    n_head_kv: int
    head_dim: int
    eps: float
    rope_base: float
    vocab: int

    @classmethod
    def from_reader(cls, reader) -> "Gemma3Config":
        def val(key):
            return reader.fields[key].contents()

        return cls(
            n_layer=int(val("gemma3.block_count")),
            n_embd=int(val("gemma3.embedding_length")),
            n_ff=int(val("gemma3.feed_forward_length")),
            n_head=int(val("gemma3.attention.head_count")),
            n_head_kv=int(val("gemma3.attention.head_count_kv")),
            head_dim=int(val("gemma3.attention.key_length")),
            eps=float(val("gemma3.attention.layer_norm_rms_epsilon")),
            rope_base=float(val("gemma3.rope.freq_base")),
            vocab=0,
        )


class LoraLinear(nn.Module):
    """A frozen weight plus a trainable low-rank update: y = x W^T + (alpha/r) x A^T B^T.
    B starts at zero, so an untrained adapter leaves the model exactly as it was."""

    def __init__(self, weight: torch.Tensor, rank: int = 0, alpha: float = 1.0):
        super().__init__()
        self.register_buffer("weight", weight, persistent=False)
        self.rank = rank
        if rank:
            out_f, in_f = weight.shape
            self.lora_a = nn.Parameter(torch.randn(rank, in_f) / math.sqrt(in_f))
            self.lora_b = nn.Parameter(torch.zeros(out_f, rank))
            self.scale = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.linear(x, self.weight)
        if self.rank:
            y = y + F.linear(F.linear(x, self.lora_a), self.lora_b) * self.scale
        return y


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    x32 = x.float()
    return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps) * weight).to(x.dtype)


def rope(x: torch.Tensor, positions: torch.Tensor, base: float) -> torch.Tensor:
    """NEOX-style rotary embedding over the last dim; x: (B, H, T, D)."""
    d = x.shape[-1]
    inv = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
    ang = positions.float()[:, None] * inv[None, :]  # (T, D/2)
    cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class Block(nn.Module):
    def __init__(self, cfg: Gemma3Config, w: dict[str, torch.Tensor], il: int, rank: int, alpha: float):
        super().__init__()
        self.cfg = cfg
        self.rope_base = cfg.rope_base if (il + 1) % GLOBAL_EVERY == 0 else LOCAL_ROPE_BASE
        for name in LORA_TARGETS:
            setattr(self, name, LoraLinear(w[name], rank, alpha))
        for name in ("attn_norm", "attn_q_norm", "attn_k_norm", "post_attention_norm",
                     "ffn_norm", "post_ffw_norm"):
            self.register_buffer(name, w[name], persistent=False)

    def qkv(self, x: torch.Tensor, positions: torch.Tensor):
        cfg = self.cfg
        b, t, _ = x.shape
        x = rms_norm(x, self.attn_norm, cfg.eps)
        q = self.attn_q(x).view(b, t, cfg.n_head, cfg.head_dim).transpose(1, 2)
        k = self.attn_k(x).view(b, t, cfg.n_head_kv, cfg.head_dim).transpose(1, 2)
        v = self.attn_v(x).view(b, t, cfg.n_head_kv, cfg.head_dim).transpose(1, 2)
        q = rope(rms_norm(q, self.attn_q_norm, cfg.eps), positions, self.rope_base)
        k = rope(rms_norm(k, self.attn_k_norm, cfg.eps), positions, self.rope_base)
        return q, k, v

    def finish(self, h: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        cfg = self.cfg
        b, _, t, _ = a.shape
        a = a.transpose(1, 2).reshape(b, t, cfg.n_head * cfg.head_dim)
        h = h + rms_norm(self.attn_output(a), self.post_attention_norm, cfg.eps)
        x = rms_norm(h, self.ffn_norm, cfg.eps)
        x = self.ffn_down(F.gelu(self.ffn_gate(x), approximate="tanh") * self.ffn_up(x))
        return h + rms_norm(x, self.post_ffw_norm, cfg.eps)

    def attend(self, q, k, v, mask=None):
        n = self.cfg.n_head
        k = k.expand(k.shape[0], n, *k.shape[2:])
        v = v.expand(v.shape[0], n, *v.shape[2:])
        # Sequences here are far shorter than the 512-token sliding window: plain causal.
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=mask is None,
                                              scale=1.0 / math.sqrt(self.cfg.head_dim))

    def forward(self, h: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        q, k, v = self.qkv(h, positions)
        return self.finish(h, self.attend(q, k, v))

    def forward_shared(self, hp: torch.Tensor, hs: torch.Tensor, pos_p, pos_s):
        """A prefix (1, P) that every row of the batch shares, and each row's rest (B, S):
        the prefix is computed once, and the rest attends to it and causally to itself."""
        qp, kp, vp = self.qkv(hp, pos_p)
        qs, ks, vs = self.qkv(hs, pos_s)
        b, p, s = hs.shape[0], hp.shape[1], hs.shape[1]
        k = torch.cat([kp.expand(b, *kp.shape[1:]), ks], dim=2)
        v = torch.cat([vp.expand(b, *vp.shape[1:]), vs], dim=2)
        mask = torch.ones(s, p + s, dtype=torch.bool)
        mask[:, p:] = torch.ones(s, s, dtype=torch.bool).tril()
        return self.finish(hp, self.attend(qp, kp, vp)), self.finish(hs, self.attend(qs, k, v, mask))


class Gemma3(nn.Module):
    def __init__(self, cfg: Gemma3Config, tensors: dict[str, torch.Tensor], rank: int = 0, alpha: float = 1.0):
        super().__init__()
        self.cfg = cfg
        self.register_buffer("embed", tensors["token_embd.weight"], persistent=False)
        self.register_buffer("output_norm", tensors["output_norm.weight"], persistent=False)
        self.blocks = nn.ModuleList(
            Block(cfg, {k.split(".", 2)[2].rsplit(".", 1)[0]: v for k, v in tensors.items()
                        if k.startswith(f"blk.{il}.")}, il, rank, alpha)
            for il in range(cfg.n_layer)
        )

    def hidden(self, tokens: torch.Tensor) -> torch.Tensor:
        """Final normed hidden states (B, T, n_embd); logits are hidden @ embed^T (tied)."""
        h = F.embedding(tokens, self.embed) * math.sqrt(self.cfg.n_embd)
        positions = torch.arange(tokens.shape[1])
        for block in self.blocks:
            h = block(h, positions)
        return rms_norm(h, self.output_norm, self.cfg.eps)

    def hidden_shared(self, tokens: torch.Tensor, shared: int) -> torch.Tensor:
        """hidden() of tokens[:, shared:] for a batch whose first `shared` tokens are the
        same in every row (one repository's prompt prefix): that part is run once."""
        scale = math.sqrt(self.cfg.n_embd)
        hp = F.embedding(tokens[:1, :shared], self.embed) * scale
        hs = F.embedding(tokens[:, shared:], self.embed) * scale
        pos_p, pos_s = torch.arange(shared), torch.arange(shared, tokens.shape[1])
        for block in self.blocks:
            hp, hs = block.forward_shared(hp, hs, pos_p, pos_s)
        return rms_norm(hs, self.output_norm, self.cfg.eps)

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        return hidden @ self.embed.T

    def lora_tensors(self) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """GGUF base tensor name -> (A (r, in), B (out, r)) of every adapted weight."""
        out = {}
        for il, block in enumerate(self.blocks):
            for name in LORA_TARGETS:
                layer = getattr(block, name)
                if layer.rank:
                    out[f"blk.{il}.{name}.weight"] = (layer.lora_a.detach(), layer.lora_b.detach())
        return out


def load(path: str, rank: int = 0, alpha: float = 1.0) -> Gemma3:
    """The GGUF at `path` as a Gemma3 module (weights dequantised to float32, frozen)."""
    import gguf

    reader = gguf.GGUFReader(path)
    arch = reader.fields["general.architecture"].contents()
    if arch != "gemma3":
        raise ValueError(f"{path}: architecture {arch!r}, expected gemma3")
    cfg = Gemma3Config.from_reader(reader)
    tensors = {}
    for t in reader.tensors:
        data = gguf.quants.dequantize(t.data, t.tensor_type)
        tensors[t.name] = torch.from_numpy(np.array(data, dtype=np.float32))  # a writable copy
    cfg.vocab = tensors["token_embd.weight"].shape[0]
    model = Gemma3(cfg, tensors, rank, alpha)
    for p in model.parameters():
        p.requires_grad_(p.ndim == 2 and rank > 0)
    return model


def save_adapter(model: Gemma3, path: str, alpha: float, metadata: dict[str, str]) -> None:
    """Write the LoRA weights in llama.cpp's adapter format (what convert_lora_to_gguf.py
    writes): general.type=adapter, adapter.type=lora, adapter.lora.alpha, and per adapted
    weight `<name>.lora_a` (r, in) and `<name>.lora_b` (out, r)."""
    import gguf

    writer = gguf.GGUFWriter(path, arch="gemma3")
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(alpha))
    for key, value in metadata.items():
        writer.add_string(key, value)
    for name, (a, b) in model.lora_tensors().items():
        writer.add_tensor(f"{name}.lora_a", a.to(torch.float16).numpy())
        writer.add_tensor(f"{name}.lora_b", b.to(torch.float16).numpy())
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def load_adapter(model: Gemma3, path: str) -> None:
    """Set the model's LoRA weights from an adapter written by save_adapter (same rank)."""
    import gguf

    layers = {f"blk.{il}.{name}.weight": getattr(block, name)
              for il, block in enumerate(model.blocks) for name in LORA_TARGETS}
    for t in gguf.GGUFReader(path).tensors:
        base, part = t.name.rsplit(".", 1)
        data = torch.from_numpy(np.array(t.data, dtype=np.float32).reshape(tuple(reversed(t.shape.tolist()))))
        with torch.no_grad():
            getattr(layers[base], "lora_a" if part == "lora_a" else "lora_b").copy_(data)
