"""PyTorch builds of histonuc's networks and losses, for numerical cross-checks (the tests in
test/models run these through test/reference/models/reference.py) and for speed comparisons.

Run with Debian's python3-torch 1.13 / python3-torchvision 0.14 (/usr/bin/python3). Module names
equal those of src/models, so state dicts move between the two by name:
  ResUNet34  REFERENCE_SPEC §7.1-7.3, as the reference model.py, without the unused resnet.fc
  UNet       §7.4 (width 16 as the reference; 64 for the original U-Net widths)
  FCN8s      §7.5: standard FCN-8s on VGG16, with the choices documented in src/models/fcn8s.ts
  VGG16Features, perceptual_loss, weighted_cross_entropy   §8
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

PERCEPTUAL_TAPS = (3, 8, 15, 22)  # relu1_2, relu2_2, relu3_3, relu4_3
POOL_TAPS = (16, 23, 30)  # pool3, pool4, pool5


class ConvReluBatchNorm(nn.Module):
    """Conv 3x3 -> ReLU -> BatchNorm -> Dropout2d (p > 0 only); BatchNorm after the ReLU (§7.1)."""

    def __init__(self, in_channels, out_channels, dropout=0.0):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm = nn.BatchNorm2d(out_channels)
        self.dropout = dropout

    def forward(self, x):
        x = self.norm(F.relu(self.conv(x)))
        return F.dropout2d(x, self.dropout, self.training) if self.dropout > 0 else x


class DownBlock(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv1 = ConvReluBatchNorm(in_channels, out_channels)
        self.conv2 = ConvReluBatchNorm(out_channels, out_channels)

    def forward(self, x):
        return self.conv2(self.conv1(x))


class UpBlock(nn.Module):
    """ConvTranspose 2x2 s2 halving the channels, skip reflect-padded to size, concat, two conv blocks (§7.2)."""

    def __init__(self, in_channels, skip_channels, dropout=0.0):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, 2, stride=2)
        self.conv1 = ConvReluBatchNorm(in_channels // 2 + skip_channels, skip_channels, dropout)
        self.conv2 = ConvReluBatchNorm(skip_channels, skip_channels, dropout)

    def forward(self, x, skip):
        x = self.up(x)
        extra_rows = x.shape[2] - skip.shape[2]
        extra_cols = x.shape[3] - skip.shape[3]
        skip = F.pad(skip, (0, extra_cols, 0, extra_rows), mode='reflect')
        return self.conv2(self.conv1(torch.cat([x, skip], 1)))


class ResUNet34(nn.Module):
    def __init__(self, classes=5, dropout=0.1):
        super().__init__()
        self.resnet = torchvision.models.resnet34()
        del self.resnet.fc  # unused: the reference keeps it, with 513,000 dead parameters
        self.u5 = UpBlock(512, 256, dropout)
        self.u6 = UpBlock(256, 128, dropout)
        self.u7 = UpBlock(128, 64, dropout)
        self.u8 = UpBlock(64, 64, dropout)
        self.ce = nn.ConvTranspose2d(64, classes, 2, stride=2)

    def forward(self, x):
        r = self.resnet
        c1 = r.relu(r.bn1(r.conv1(x)))
        c2 = r.layer1(r.maxpool(c1))
        c3 = r.layer2(c2)
        c4 = r.layer3(c3)
        x = r.layer4(c4)
        x = self.u5(x, c4)
        x = self.u6(x, c3)
        x = self.u7(x, c2)
        x = self.u8(x, c1)
        return self.ce(x)


class UNet(nn.Module):
    def __init__(self, classes=5, width=16, dropout=0.5):
        super().__init__()
        w1, w2, w3, w4, w5 = (width * f for f in (1, 2, 4, 8, 16))
        self.dropout = dropout
        self.c1 = DownBlock(3, w1)
        self.c2 = DownBlock(w1, w2)
        self.c3 = DownBlock(w2, w3)
        self.c4 = DownBlock(w3, w4)
        self.cu = DownBlock(w4, w5)
        self.u5 = UpBlock(w5, w4)
        self.u6 = UpBlock(w4, w3)
        self.u7 = UpBlock(w3, w2)
        self.u8 = UpBlock(w2, w1)
        self.ce = nn.Conv2d(w1, classes, 1)

    def forward(self, x):
        c1 = self.c1(x)
        c2 = self.c2(F.max_pool2d(c1, 2))
        c3 = self.c3(F.max_pool2d(c2, 2))
        c4 = self.c4(F.max_pool2d(c3, 2))
        x = F.dropout(self.cu(F.max_pool2d(c4, 2)), self.dropout, self.training)
        x = self.u5(x, c4)
        x = self.u6(x, c3)
        x = self.u7(x, c2)
        x = self.u8(x, c1)
        return self.ce(x)


def vgg16_layers(last=30):
    """vgg16().features (the same indices and initialisation) up to index last, without building
    and initialising the 120M-parameter classifier."""
    layers = torchvision.models.vgg.make_layers(torchvision.models.vgg.cfgs['D'])[:last + 1]
    for module in layers.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu')
            nn.init.zeros_(module.bias)
    return layers


def forward_to_taps(layers, x, taps):
    outputs = []
    for index in range(max(taps) + 1):
        x = layers[index](x)
        if index in taps:
            outputs.append(x)
    return outputs


def bilinear_upsampling(channels, factor):
    """ConvTranspose2d (kernel 2f, stride f, padding f/2, no bias) initialised to bilinear interpolation."""
    size = 2 * factor
    up = nn.ConvTranspose2d(channels, channels, size, stride=factor, padding=factor // 2, bias=False)
    profile = 1 - (torch.arange(size, dtype=torch.float32) - (factor - 0.5)).abs() / factor
    with torch.no_grad():
        up.weight.zero_()
        for channel in range(channels):
            up.weight[channel, channel] = profile[:, None] * profile[None, :]
    return up


def zero_conv(in_channels, out_channels):
    conv = nn.Conv2d(in_channels, out_channels, 1)
    nn.init.zeros_(conv.weight)
    nn.init.zeros_(conv.bias)
    return conv


class FCN8s(nn.Module):
    def __init__(self, classes=5, dropout=0.5):
        super().__init__()
        self.dropout = dropout
        self.features = vgg16_layers()
        self.fc6 = nn.Conv2d(512, 4096, 7, padding=3)
        self.fc7 = nn.Conv2d(4096, 4096, 1)
        for fc in (self.fc6, self.fc7):
            nn.init.normal_(fc.weight, 0, 0.01)
            nn.init.zeros_(fc.bias)
        self.score_fr = zero_conv(4096, classes)
        self.score_pool4 = zero_conv(512, classes)
        self.score_pool3 = zero_conv(256, classes)
        self.upscore2 = bilinear_upsampling(classes, 2)
        self.upscore_pool4 = bilinear_upsampling(classes, 2)
        self.upscore8 = bilinear_upsampling(classes, 8)

    def forward(self, x):
        pool3, pool4, pool5 = forward_to_taps(self.features, x, POOL_TAPS)
        x = F.dropout(F.relu(self.fc6(pool5)), self.dropout, self.training)
        x = F.dropout(F.relu(self.fc7(x)), self.dropout, self.training)
        x = self.upscore2(self.score_fr(x)) + self.score_pool4(pool4)
        x = self.upscore_pool4(x) + self.score_pool3(pool3)
        return self.upscore8(x)

    def import_vgg16(self, vgg16):
        """torchvision vgg16's features, and its classifier.0 / classifier.3 reshaped into fc6 / fc7."""
        with torch.no_grad():
            self.features.load_state_dict(vgg16.features.state_dict())
            for fc, linear in ((self.fc6, vgg16.classifier[0]), (self.fc7, vgg16.classifier[3])):
                fc.weight.copy_(linear.weight.reshape(fc.weight.shape))
                fc.bias.copy_(linear.bias)


class VGG16Features(nn.Module):
    """Frozen vgg16().features up to the last tap, returning the tap outputs."""

    def __init__(self, taps=PERCEPTUAL_TAPS):
        super().__init__()
        self.taps = taps
        self.features = vgg16_layers(max(taps))
        for parameter in self.parameters():
            parameter.requires_grad_(False)

    def forward(self, x):
        return forward_to_taps(self.features, x, self.taps)


def weighted_cross_entropy(logits, target, weight=None):
    """sum(nll * weight) / (B*H*W) (§8.1); the plain mean NLL without a weight map."""
    nll = F.nll_loss(F.log_softmax(logits, 1), target, reduction='none')
    return (nll if weight is None else nll * weight).mean()


def perceptual_loss(vgg, logits, target):
    """§8.2: soft contour probability (channel 4) against the contour mask, each repeated x3, mean MSE over the taps."""
    contour_probability = F.softmax(logits, 1)[:, 4:5].repeat(1, 3, 1, 1)
    contour_mask = (target == 4).float().unsqueeze(1).repeat(1, 3, 1, 1)
    pairs = zip(vgg(contour_probability), vgg(contour_mask))
    return sum(F.mse_loss(p, t) for p, t in pairs) / len(vgg.taps)
