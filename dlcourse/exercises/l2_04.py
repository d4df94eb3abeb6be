"""Exercises of L2.04 · LeNet.

    from dlcourse.exercises import l2_04 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l2_04_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the output shape after every layer of a conv stack
# ---------------------------------------------------------------------------------------------
def _random_stack(g, input_shape):
    """A random conv/pool stack that fits its input, then Flatten and a Linear layer."""
    import torch
    from torch import nn

    def pick(lo, hi):
        return int(torch.randint(lo, hi + 1, (1,), generator=g))

    layers, x = [], torch.zeros(1, *input_shape)
    for _ in range(pick(2, 5)):
        C, H, W = x.shape[1:]
        if pick(0, 2):
            kh, kw = pick(1, 5), pick(1, 5)
            d = pick(1, 2)
            layer = nn.Conv2d(C, pick(1, 8), (kh, kw), stride=pick(1, 3), padding=pick(0, 2),
                              dilation=d)
        else:
            k = pick(2, 3)
            pool = nn.MaxPool2d if pick(0, 1) else nn.AvgPool2d
            layer = pool(k, stride=pick(1, k), padding=pick(0, k // 2))
        try:
            y = layer(x)
        except RuntimeError:                           # it does not fit what is left: skip it
            continue
        if min(y.shape[2:]) < 1:
            continue
        layers.append(layer)
        x = y
        if pick(0, 1):
            layers.append(nn.ReLU() if pick(0, 1) else nn.Tanh())
    layers += [nn.Flatten(), nn.Linear(x[0].numel(), pick(2, 12))]
    return layers


def _q1_cases():
    import torch
    from torch import nn
    g = torch.Generator().manual_seed(4)
    lenet = [nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
             nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)]
    cases = {"the lesson's LeNet on (1, 28, 28)": (lenet, (1, 28, 28)),
             "the 1998 LeNet-5 on (1, 32, 32), average pooling":
                 ([nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(),
                   nn.AvgPool2d(2), nn.Conv2d(16, 120, 5), nn.Flatten(), nn.Linear(120, 84)],
                  (1, 32, 32)),
             "a non-square input and kernel, stride 2, dilation 2":
                 ([nn.Conv2d(3, 4, (3, 5), stride=2, padding=(1, 2), dilation=2),
                   nn.MaxPool2d(3, 2)], (3, 30, 41))}
    for i in range(12):
        channels = int(torch.randint(1, 4, (1,), generator=g))
        shape = (channels, *(int(v) for v in torch.randint(12, 40, (2,), generator=g)))
        cases[f"random stack {i + 1} on {shape}"] = (_random_stack(g, shape), shape)
    return cases


def _output_shapes_reference(layers, input_shape):
    import torch
    shapes, x = [], torch.zeros(1, *input_shape)
    with torch.no_grad():
        for layer in layers:
            x = layer(x)
            shapes.append(tuple(x.shape[1:]))
    return shapes


def _q1_diagnose(got, expected, args):
    layers, input_shape = args
    got = [tuple(s) for s in got]
    if len(got) != len(expected):
        return (f"{len(got)} shapes for {len(layers)} layers: give one shape after every layer, "
                "activations included (they keep the shape)")
    for layer, g, e in zip(layers, got, expected):
        if g != e:
            return (f"after {layer} the shape is {e}, you have {g}: along each axis "
                    "⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1, with a pool's stride its kernel size "
                    "unless given")
    return None


q1 = write_function(
    "output_shapes(layers, input_shape)", _output_shapes_reference, _q1_cases,
    diagnose=_q1_diagnose,
    name="Q1 · shapes through a conv stack",
    hint_text=("Keep the current shape (C, H, W) and update it layer by layer, reading each "
               "module's attributes: kernel_size, stride, padding (and dilation for Conv2d and "
               "MaxPool2d) are ints or pairs (height, width). A conv or pool maps n to "
               "(n + 2p − d(k − 1) − 1) // s + 1 along each axis; a conv's channels become "
               "out_channels; Flatten gives (C·H·W,); Linear gives (out_features,); ReLU and "
               "Tanh keep the shape. Do not run the layers: compute."),
    right_answer=answers.output_shapes,
    wrong_answers=[answers.output_shapes_without_plus_one, answers.output_shapes_pool_stride_one,
                   answers.output_shapes_dilation_ignored, answers.output_shapes_padding_ignored,
                   answers.output_shapes_flatten_ignores_channels],
)

# ---------------------------------------------------------------------------------------------
# q2 · parameters of the 1998 C3 layer
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.c3_parameters, what="the number of trainable parameters", whole=True,
    mistakes=lambda: {
        answers.c3_parameters_fully_connected(): "that is a C3 connected to all six S2 maps; "
                                                 "the table connects each map to 3, 4 or 6 only",
        answers.c3_parameters_no_bias(): "each of the 16 maps also has a bias",
        answers.c3_parameters_kernel_per_map(): "a C3 map reading 3 input maps has three 5×5 "
                                                "kernels, one per input map it reads",
    },
    name="Q2 · parameters of the 1998 C3",
    hint_text=("Count the marks in the connection table: a C3 map connected to c of the S2 maps "
               "has c kernels of 5×5, plus one bias. In the table, 6 maps read 3 inputs, 9 read "
               "4 and 1 reads all 6."),
    right_answer=answers.c3_parameters,
    wrong_answers=[answers.c3_parameters_fully_connected, answers.c3_parameters_no_bias,
                   answers.c3_parameters_kernel_per_map],
)

# ---------------------------------------------------------------------------------------------
# q3 · 1998 against today
# ---------------------------------------------------------------------------------------------
Q3_CHOICES = {
    "a": "a scaled tanh, 1.7159·tanh(2x/3), as the activation",
    "b": "max pooling over 2×2 windows",
    "c": "subsampling layers with a trainable coefficient and bias per map",
    "d": "a third layer (C3) whose maps each read only some of the previous layer's maps",
    "e": "an output layer of Euclidean radial basis function (RBF) units",
    "f": "5×5 convolution kernels",
}

q3 = choices(
    list(Q3_CHOICES), answers.lenet_1998_only,
    extra="{n} of your choices are in the model you trained too, or in neither",
    missing="{n} of the 1998 network's features are missing",
    name="Q3 · 1998 against today",
    hint_text=("Go through section 2: which parts did the modern variant replace? Its kernels "
               "are the same size; its pooling takes the maximum."),
    right_answer=answers.lenet_1998_only,
    wrong_answers=[answers.lenet_1998_only_with_max_pooling, answers.lenet_1998_only_missing_rbf,
                   answers.lenet_1998_only_with_kernels],
)
