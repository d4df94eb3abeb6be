"""Answers to L2.11's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch

from . import computed


# q1 · one LSTM step in PyTorch's layout: rows of W_ih, W_hh, b_ih, b_hh in the order i, f, g, o
def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh       # (N, 4H): the four pre-activations at once
    i, f, g, o = z.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c + i * g                                # the additive path through the cell state
    h = o * torch.tanh(c)
    return h, c


def lstm_cell_order_ifog(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """Reads the rows as i, f, o, g (the order of some papers): PyTorch's is i, f, g, o."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, o, g = z.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c + i * g
    return o * torch.tanh(c), c


def lstm_cell_order_igfo(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """Reads the rows as i, g, f, o (TensorFlow's order, with the candidate second)."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, g, f, o = z.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c + i * g
    return o * torch.tanh(c), c


def lstm_cell_no_b_hh(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """Leaves out the second bias b_hh: PyTorch adds both."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T
    i, f, g, o = z.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c + i * g
    return o * torch.tanh(c), c


def lstm_cell_no_output_tanh(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """h = o · c: the new cell state goes through tanh before the output gate."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = z.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c + i * g
    return o * c, c


def lstm_cell_sigmoid_candidate(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """Squashes the candidate g with a sigmoid: it is a tanh, so a cell can also decrease."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = torch.sigmoid(z).chunk(4, dim=1)
    c = f * c + i * g
    return o * torch.tanh(c), c


def lstm_cell_old_cell_in_output(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """Computes h from the old cell state c_{t−1} instead of the new one."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = z.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    return o * torch.tanh(c), f * c + i * g


# q2 · parameters of nn.LSTM(32, 64, num_layers=2, bidirectional=True)
@computed
def lstm_parameters():
    H = 64
    layer0 = 2 * 4 * (H * 32 + H * H + 2 * H)       # two directions, each reads the 32 inputs
    layer1 = 2 * 4 * (H * 2 * H + H * H + 2 * H)    # layer 1 reads both directions' outputs: 2H = 128
    return layer0 + layer1


@computed
def lstm_parameters_one_bias():
    H = 64
    return 2 * 4 * (H * 32 + H * H + H) + 2 * 4 * (H * 2 * H + H * H + H)


@computed
def lstm_parameters_layer1_reads_64():
    H = 64
    return 2 * 4 * (H * 32 + H * H + 2 * H) + 2 * 4 * (H * H + H * H + 2 * H)


@computed
def lstm_parameters_one_direction():
    H = 64
    return 4 * (H * 32 + H * H + 2 * H) + 4 * (H * H + H * H + 2 * H)


@computed
def lstm_parameters_gru_factor():
    H = 64
    return 2 * 3 * (H * 32 + H * H + 2 * H) + 2 * 3 * (H * 2 * H + H * H + 2 * H)


# q3 · what is true of gated RNNs
@computed
def true_statements():
    return {"a", "c", "f"}


@computed
def true_statements_with_separate_gru_cell():
    return {"a", "b", "c", "f"}


@computed
def true_statements_with_bidirectional_lm():
    return {"a", "c", "d", "f"}


@computed
def true_statements_without_parameter_ratio():
    return {"a", "c"}
