"""Answers to L2.10's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import math

import torch

from . import computed


# q1 · the RNN forward pass over a sequence, x (N, T, D) batch first
def rnn_forward(x, h0, W_xh, W_hh, b_h):
    h, states = h0, []
    for t in range(x.shape[1]):                     # one step per time index, the same weights
        h = torch.tanh(x[:, t] @ W_xh.T + h @ W_hh.T + b_h)
        states.append(h)
    return torch.stack(states, dim=1), h            # (N, T, H) and the last state (N, H)


def rnn_forward_relu(x, h0, W_xh, W_hh, b_h):
    """ReLU instead of tanh: nn.RNN's default nonlinearity is tanh."""
    h, states = h0, []
    for t in range(x.shape[1]):
        h = torch.relu(x[:, t] @ W_xh.T + h @ W_hh.T + b_h)
        states.append(h)
    return torch.stack(states, dim=1), h


def rnn_forward_no_recurrence(x, h0, W_xh, W_hh, b_h):
    """Uses h0 at every step instead of the previous step's state: no memory."""
    states = [torch.tanh(x[:, t] @ W_xh.T + h0 @ W_hh.T + b_h) for t in range(x.shape[1])]
    return torch.stack(states, dim=1), states[-1]


def rnn_forward_transposed(x, h0, W_xh, W_hh, b_h):
    """x @ W_xh + h @ W_hh: right shapes only when they are square, and the wrong weights then."""
    h, states = h0, []
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)
        states.append(h)
    return torch.stack(states, dim=1), h


def rnn_forward_first_state(x, h0, W_xh, W_hh, b_h):
    """Returns the first state where the last one is asked for."""
    states, _ = rnn_forward(x, h0, W_xh, W_hh, b_h)
    return states, states[:, 0]


# q2 · drawing the next character at a temperature
def sample_next(logits, temperature, generator):
    if temperature == 0:                            # the limit T → 0: always the most likely
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


def sample_next_times_temperature(logits, temperature, generator):
    """Multiplies the logits by T: a small T then flattens the distribution instead of sharpening it."""
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits * temperature, dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


def sample_next_ignores_temperature(logits, temperature, generator):
    """Samples from softmax(logits) whatever T is."""
    probs = torch.softmax(logits, dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


def sample_next_always_greedy(logits, temperature, generator):
    """Takes the argmax at every temperature: no sampling at all."""
    return logits.argmax(dim=-1)


def sample_next_divides_by_zero(logits, temperature, generator):
    """No special case for T = 0: logits / 0 gives inf and nan."""
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


# q3 · the uniform baseline for a lowercased text
@computed
def lowercase_uniform_nats():
    # tiny Shakespeare has 65 distinct characters; lowercasing folds the 26 capitals into
    # their small letters: len(set(text.lower())) == 39, and a uniform guess costs ln 39 nats
    return math.log(39)


@computed
def uniform_nats_full_vocabulary():
    return math.log(65)


@computed
def lowercase_uniform_bits():
    return math.log2(39)


@computed
def lowercase_uniform_perplexity():
    return 39.0


@computed
def lowercase_letters_only_nats():
    return math.log(26)


# q4 · truncated BPTT, clipping and temperature
@computed
def true_statements():
    return {"a", "b", "e"}


@computed
def true_statements_detach_resets():
    return {"a", "b", "c", "e"}


@computed
def true_statements_clipping_turns():
    return {"a", "b", "d", "e"}


@computed
def true_statements_without_carry():
    return {"b", "e"}
