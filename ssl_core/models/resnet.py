"""ResNet-18 with the CIFAR stem (He et al. 2016; stem as in SimCLR's CIFAR experiments):
a 3x3 stride-1 first convolution and no max-pool, so small images keep their detail."""

from __future__ import annotations

import torch
from torch import nn

from .base import Encoder


class ResNet18(Encoder):
    """(N, 3, H, W) -> (N, 512)."""

    def __init__(self) -> None:
        from torchvision.models import resnet18  # here: torchvision's import pulls torch._dynamo (~2 s)

        super().__init__()
        net = resnet18(weights=None)
        net.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        net.maxpool = nn.Identity()
        net.fc = nn.Identity()
        self.net = net
        self.num_features = 512

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        net = self.net
        x = net.relu(net.bn1(net.conv1(x)))
        return net.layer4(net.layer3(net.layer2(net.layer1(x))))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)  # = feature_map(x) averaged over positions
