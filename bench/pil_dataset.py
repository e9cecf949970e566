"""The baseline's way of feeding images: PIL images transformed one by one in workers."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image


class PilDataset(torch.utils.data.Dataset):
    """uint8 images (N, H, W, 3) served as PIL images through a per-image `transform`."""

    def __init__(self, images: np.ndarray, transform) -> None:
        self.images, self.transform = [Image.fromarray(i) for i in images], transform

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int):
        return self.transform(self.images[index])
