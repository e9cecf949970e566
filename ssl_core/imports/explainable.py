"""What an imported network looks at, read from the zoo's own modules, for the maps of
ssl_core/explain.py ("Why is this a neighbour?", the Lab's pair).

    feature_map(net, x)      standardised views (N, 3, H, W) -> (N, D, h, w) whose mean over the
                             positions is the features: a timm CNN's map before its average
                             pooling, a torchvision ResNet's before its `avgpool`
    class_attention(net, x)  -> (N, heads, rows, cols): a timm ViT's class token attending to
                             the patches in its last layer (Caron et al. 2021, DINO's figures)

Any other network raises NotImplementedError with a sentence for people.
"""

from __future__ import annotations

import torch
from torch import nn

NO_MAP = ("this imported network does not average a feature map (timm CNNs and torchvision ResNets do), "
          "so its similarity cannot be laid over the images")


def feature_map(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """(N, D, h, w) of standardised views `x`; its mean over (h, w) is `net(x)`."""
    from torchvision.models import ResNet

    if isinstance(net, ResNet):  # conv1 .. layer4, avgpool, flatten, fc (Identity once imported)
        for name, child in net.named_children():
            if name == "avgpool":
                return x
            x = child(x)
    pool = getattr(getattr(net, "global_pool", None), "pool_type", None)
    out = net.forward_features(x) if pool == "avg" else None
    if out is None or out.ndim != 4:
        raise NotImplementedError(NO_MAP)
    return out


def has_class_attention(net: nn.Module) -> bool:
    """Whether `net` is a timm ViT whose features are its class token after the last layer
    of plain timm attention blocks (so the class token's attention shows what it looks at)."""
    if not type(net).__module__.startswith("timm."):
        return False
    from timm.layers import Attention
    from timm.models.vision_transformer import Block, VisionTransformer

    return (isinstance(net, VisionTransformer) and net.global_pool == "token" and net.cls_token is not None
            and net.attn_pool is None and isinstance(net.blocks[-1], Block)
            and isinstance(net.blocks[-1].attn, Attention))


def class_attention(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Standardised views (N, 3, H, W) -> (N, heads, rows, cols): the softmax attention of
    the class token (query 0) over the patch tokens in the last block, the prefix tokens
    (class, registers) left out and each head renormalised to sum to one over the patches."""
    attention = net.blocks[-1].attn
    seen: list[torch.Tensor] = []
    hook = attention.register_forward_hook(lambda module, args, out: seen.append(args[0]))
    try:
        net.forward_features(x)  # the last attention's input: its block's norm1 of the tokens
    finally:
        hook.remove()
    tokens = seen[-1]  # (N, T, C)
    n, count, _ = tokens.shape
    qkv = attention.qkv(tokens).reshape(n, count, 3, attention.num_heads, attention.head_dim).permute(2, 0, 3, 1, 4)
    query, keys = attention.q_norm(qkv[0][:, :, :1]), attention.k_norm(qkv[1])  # (N, heads, 1 | T, head_dim)
    weights = ((query * attention.scale) @ keys.transpose(-2, -1)).softmax(dim=-1)[:, :, 0]  # (N, heads, T)
    to_patches = weights[:, :, net.num_prefix_tokens:]
    rows, cols = (side // patch for side, patch in zip(x.shape[-2:], net.patch_embed.patch_size))
    if to_patches.shape[-1] != rows * cols:
        raise NotImplementedError(f"this imported ViT's {to_patches.shape[-1]} patch tokens are no {rows} x {cols} "
                                  "grid, so its attention cannot be laid over the images")
    to_patches = to_patches / to_patches.sum(dim=-1, keepdim=True)
    return to_patches.reshape(n, -1, rows, cols)
