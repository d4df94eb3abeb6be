"""Exercises of L2.10 · Sequences & RNNs (循环神经网络).

    from dlcourse.exercises import l2_10 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l2_10_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the RNN forward pass over a sequence, against nn.RNN with the same weights
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(10)

    def case(n, t, d, h, scale=0.5, h0_scale=0.0):
        return (torch.randn(n, t, d, generator=g, dtype=torch.float64),
                torch.randn(n, h, generator=g, dtype=torch.float64) * h0_scale,
                torch.randn(h, d, generator=g, dtype=torch.float64) * scale,
                torch.randn(h, h, generator=g, dtype=torch.float64) * scale,
                torch.randn(h, generator=g, dtype=torch.float64) * scale)

    return {
        "N=3 sequences of T=5 steps, D=4 inputs, H=6 hidden units": case(3, 5, 4, 6),
        "one step (T=1)": case(2, 1, 4, 3),
        "a nonzero h0": case(4, 6, 3, 5, h0_scale=1.0),
        "large weights (tanh saturates)": case(2, 8, 5, 4, scale=3.0, h0_scale=0.5),
        "D = H (square weights, so the shapes cannot catch a transposed matrix)": case(3, 7, 5, 5),
        "one long sequence, N=1, T=30": case(1, 30, 6, 8),
    }


def _rnn_reference(x, h0, W_xh, W_hh, b_h):
    """nn.RNN (tanh, batch first) with our weights copied in; PyTorch's two biases are b_h and 0."""
    import torch
    from torch import nn
    rnn = nn.RNN(x.shape[2], h0.shape[1], batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(W_xh)
        rnn.weight_hh_l0.copy_(W_hh)
        rnn.bias_ih_l0.copy_(b_h)
        rnn.bias_hh_l0.zero_()
        states, h_n = rnn(x, h0[None])
    return states, h_n[0]


def _q1_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.rnn_forward_relu, "nn.RNN's nonlinearity is tanh (nonlinearity='tanh' by default)"),
        (answers.rnn_forward_no_recurrence,
         "each step must use the state the previous step computed, not h0 every time"),
        (answers.rnn_forward_transposed,
         "W_xh is (H, D) and W_hh is (H, H), as nn.RNN stores them: a batch of rows x_t needs "
         "x_t @ W_xh.T and h @ W_hh.T"),
        (answers.rnn_forward_first_state, "the second item is the last hidden state, states[:, -1]"),
    ]:
        try:
            mine = wrong(*args)
            if all(torch.allclose(torch.as_tensor(a, dtype=torch.float64), b, atol=1e-9)
                   for a, b in zip(got, mine)):
                return why
        except (RuntimeError, TypeError, ValueError):
            continue
    return None


q1 = write_function(
    "rnn_forward(x, h0, W_xh, W_hh, b_h)", _rnn_reference, _q1_cases,
    parts=["all hidden states", "the last hidden state"], rtol=1e-7, atol=1e-9,
    diagnose=_q1_diagnose,
    name="Q1 · the RNN forward pass",
    hint_text=("Start with h = h0 and loop over t in range(T): h = tanh(x[:, t] @ W_xh.T + h @ W_hh.T "
               "+ b_h), keeping every h in a list. Return torch.stack(the list, dim=1), of shape "
               "(N, T, H), and the last h, of shape (N, H)."),
    right_answer=answers.rnn_forward,
    wrong_answers=[answers.rnn_forward_relu, answers.rnn_forward_no_recurrence,
                   answers.rnn_forward_transposed, answers.rnn_forward_first_state],
)

# ---------------------------------------------------------------------------------------------
# q2 · drawing the next character at a temperature, with a seeded generator
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    g = torch.Generator().manual_seed(11)

    def case(n, v, temperature, scale=2.0, seed=0):
        logits = torch.randn(n, v, generator=g) * scale
        return logits, temperature, torch.Generator().manual_seed(seed)

    return {
        "T = 1, a batch of 8 rows of 65 logits": case(8, 65, 1.0),
        "T = 0.5 (sharper)": case(8, 65, 0.5, seed=1),
        "T = 2 (flatter)": case(8, 65, 2.0, seed=2),
        "T = 0.2, 3 rows of 10 logits": case(3, 10, 0.2, scale=1.0, seed=3),
        "T = 0: always the most likely character": case(6, 65, 0.0, seed=4),
        "T = 1.5, 200 rows of 5 logits": case(200, 5, 1.5, seed=5),
    }


def _q2_diagnose(got, expected, args):
    import torch
    logits, temperature, _ = args
    got = torch.as_tensor(got)
    if got.shape != expected.shape:
        return (f"return one id per row, a tensor of shape {tuple(expected.shape)}: "
                "torch.multinomial(probs, 1, generator=generator) gives (N, 1); squeeze the last axis")
    if temperature != 0 and torch.equal(got, logits.argmax(-1)) and not torch.equal(got, expected):
        return "only T = 0 means the argmax; at T > 0, draw with torch.multinomial"
    return None


q2 = write_function(
    "sample_next(logits, temperature, generator)", answers.sample_next, _q2_cases,
    diagnose=_q2_diagnose,
    name="Q2 · sampling at a temperature",
    hint_text=("At T > 0: probs = softmax(logits / T) over the last axis, then "
               "torch.multinomial(probs, 1, generator=generator).squeeze(-1), one draw per row "
               "(use this exact call, so that the seeded generator gives the expected draws). "
               "At T = 0 dividing by T is not defined: return logits.argmax(dim=-1), the limit."),
    right_answer=answers.sample_next,
    wrong_answers=[answers.sample_next_times_temperature, answers.sample_next_ignores_temperature,
                   answers.sample_next_always_greedy, answers.sample_next_divides_by_zero],
)

# ---------------------------------------------------------------------------------------------
# q3 · the uniform baseline for a lowercased text
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.lowercase_uniform_nats, what="nats per character", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.uniform_nats_full_vocabulary(): "that is the vocabulary as it is; count the "
                                                "distinct characters of text.lower()",
        answers.lowercase_uniform_bits(): "that is in bits (log base 2); a nat uses the natural log",
        answers.lowercase_uniform_perplexity(): "that is the perplexity, exp(nats); give ln of it",
        answers.lowercase_letters_only_nats(): "the text has more than letters: spaces, newlines "
                                               "and punctuation stay in the vocabulary",
    },
    name="Q3 · a uniform baseline",
    hint_text=("A uniform model gives each of the |V| characters probability 1/|V|, so every "
               "character costs −ln(1/|V|) = ln |V| nats. Here |V| = len(set(text.lower())): "
               "compute it, then math.log of it."),
    right_answer=answers.lowercase_uniform_nats,
    wrong_answers=[answers.uniform_nats_full_vocabulary, answers.lowercase_uniform_bits,
                   answers.lowercase_uniform_perplexity, answers.lowercase_letters_only_nats],
)

# ---------------------------------------------------------------------------------------------
# q4 · truncated BPTT, clipping and temperature
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "with truncated BPTT and the hidden state carried over, the forward pass at the start of "
         "a window still depends on characters of earlier windows",
    "b": "with truncated BPTT, a window's loss sends gradient back through at most the window's "
         "length of time steps",
    "c": "h.detach() between windows sets the hidden state to zero",
    "d": "clip_grad_norm_ changes the direction of the gradient when it clips",
    "e": "if every singular value of W_hh is below 1, ‖∂h_T/∂h_t‖ shrinks at least geometrically "
         "as T − t grows (tanh′ ≤ 1)",
    "f": "a temperature below 1 makes the samples more varied",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · truncated BPTT, clipping, temperature",
    hint_text=("detach() keeps a tensor's values and cuts its history. Clipping multiplies every "
               "gradient by the same factor. Each backward step through time multiplies by "
               "diag(1 − h²) W_hh, whose norm is at most the largest singular value of W_hh. "
               "Dividing the logits by T < 1 spreads them further apart."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_detach_resets, answers.true_statements_clipping_turns,
                   answers.true_statements_without_carry],
)
