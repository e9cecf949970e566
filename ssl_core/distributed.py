"""torch.distributed for the engine: one process per device (torchrun), on GPUs with NCCL
or on a CPU with gloo. With a single process every function here is a no-op, so the
engine runs unchanged."""

from __future__ import annotations

import os
from collections.abc import Iterable

import torch
import torch.distributed as dist


def world() -> tuple[int, int]:
    """(rank, number of processes); (0, 1) when not distributed."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def init_from_env() -> bool:
    """Join the process group torchrun describes in the environment (WORLD_SIZE > 1)."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or dist.is_initialized():
        return dist.is_initialized()
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group(backend="nccl" if cuda else "gloo")
    return True


def average_gradients(parameters: Iterable[torch.nn.Parameter]) -> None:
    """Mean of every gradient over the processes, as DDP does (the losses that need
    negatives gather embeddings with gradients themselves: lightly's gather_distributed)."""
    _, size = world()
    if size == 1:
        return
    for parameter in parameters:
        if parameter.grad is not None:
            dist.all_reduce(parameter.grad)
            parameter.grad /= size


def gather(tensor: torch.Tensor) -> torch.Tensor:
    """Every process's (N, ...) `tensor`, rank after rank: (processes * N, ...), with no
    gradient (MoCo v3's keys come from the momentum encoder: its concat_all_gather, lightly's
    copy of it); `tensor` itself with one process."""
    if world()[1] == 1:
        return tensor
    from lightly.models.utils import concat_all_gather

    return concat_all_gather(tensor.contiguous())


def any_rank(flag: bool, device: torch.device) -> bool:
    """True on every process when `flag` is true on any (a stop or a failure is shared)."""
    if world()[1] == 1:
        return flag
    value = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def share(value: object) -> object:
    """Rank 0's `value` on every process."""
    if world()[1] == 1:
        return value
    holder = [value]
    dist.broadcast_object_list(holder, src=0)
    return holder[0]


class SilentReporter:
    """What ranks other than 0 report: nothing (rank 0 writes logs, checkpoints, job rows)."""

    def on_step(self, state) -> None: ...

    def on_metrics(self, step, values) -> None: ...

    def on_checkpoint(self, step, path) -> None: ...

    def should_stop(self) -> bool:
        return False
