"""Exercises of L2.11 · GRU & LSTM (门控循环单元与长短期记忆).

    from dlcourse.exercises import l2_11 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l2_11_answers as answers
from .kinds import choices, number, write_function

PARTS = ["h", "c"]


# ---------------------------------------------------------------------------------------------
# q1 · one LSTM step, against nn.LSTMCell
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(11)

    def case(n, inputs, hidden, scale=1.0):
        r = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64) * scale  # noqa: E731
        return (r(n, inputs), r(n, hidden), r(n, hidden), r(4 * hidden, inputs),
                r(4 * hidden, hidden), r(4 * hidden), r(4 * hidden))

    return {
        "a batch of 5, 3 inputs, 4 hidden units": case(5, 3, 4),
        "a batch of 1, 1 input, 1 hidden unit": case(1, 1, 1),
        "a batch of 8, 6 inputs, 2 hidden units": case(8, 6, 2),
        "a batch of 3, 2 inputs, 7 hidden units, large weights (saturated gates)": case(3, 2, 7, 3.0),
    }


def _lstm_cell_reference(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """nn.LSTMCell with these weights copied in."""
    import torch
    cell = torch.nn.LSTMCell(W_ih.shape[1], h.shape[1], dtype=torch.float64)
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (W_ih, W_hh, b_ih, b_hh)):
            getattr(cell, name).copy_(value)
        return cell(x, (h, c))


def _q1_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.lstm_cell_order_ifog,
         "the gates are read in the wrong order: PyTorch stacks the rows of W_ih, W_hh, b_ih and "
         "b_hh as i, f, g, o (input gate, forget gate, candidate, output gate), so the candidate "
         "is the third quarter and the output gate the fourth"),
        (answers.lstm_cell_order_igfo,
         "the gates are read in the wrong order (that is TensorFlow's, candidate second): "
         "PyTorch's rows are i, f, g, o"),
        (answers.lstm_cell_no_b_hh, "PyTorch adds two biases, b_ih and b_hh: add both"),
        (answers.lstm_cell_no_output_tanh, "h = o · tanh(c): the new cell state goes through "
                                           "tanh before the output gate"),
        (answers.lstm_cell_sigmoid_candidate, "the candidate g uses tanh (values in (−1, 1)), "
                                              "only the three gates use the sigmoid"),
        (answers.lstm_cell_old_cell_in_output, "compute h from the new cell state c_t, after "
                                               "c_t = f · c_{t−1} + i · g"),
    ]:
        mine = wrong(*args)
        if all(torch.allclose(torch.as_tensor(a, dtype=torch.float64), b, rtol=1e-6, atol=1e-9)
               for a, b in zip(got, mine)):
            return why
    return None


q1 = write_function(
    "lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)",
    _lstm_cell_reference, _q1_cases, parts=PARTS, rtol=1e-6, atol=1e-9, diagnose=_q1_diagnose,
    name="Q1 · one LSTM step",
    hint_text=("z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh has shape (N, 4H); z.chunk(4, dim=1) "
               "gives the pre-activations in PyTorch's order i, f, g, o. Sigmoid for i, f and o, "
               "tanh for g. Then c_new = f · c + i · g and h_new = o · tanh(c_new). Return "
               "(h_new, c_new)."),
    right_answer=answers.lstm_cell,
    wrong_answers=[answers.lstm_cell_order_ifog, answers.lstm_cell_order_igfo,
                   answers.lstm_cell_no_b_hh, answers.lstm_cell_no_output_tanh,
                   answers.lstm_cell_sigmoid_candidate, answers.lstm_cell_old_cell_in_output],
)

# ---------------------------------------------------------------------------------------------
# q2 · the parameters of a deep bidirectional LSTM
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.lstm_parameters, what="the number of parameters", whole=True,
    mistakes=lambda: {
        answers.lstm_parameters_one_bias(): "PyTorch keeps two bias vectors per gate, b_ih and b_hh",
        answers.lstm_parameters_layer1_reads_64(): "the second layer reads the outputs of both "
                                                   "directions of the first, concatenated: 2 × 64 inputs",
        answers.lstm_parameters_one_direction(): "bidirectional=True gives every layer two LSTMs "
                                                 "with their own weights, one per direction",
        answers.lstm_parameters_gru_factor(): "that would be a GRU (three blocks of weights); an "
                                              "LSTM has four: i, f, g and o",
    },
    name="Q2 · parameters of a deep bidirectional LSTM",
    hint_text=("One direction of one layer with I inputs and H hidden units has "
               "4·(H·I + H·H + 2·H) parameters (W_ih, W_hh, b_ih, b_hh for four gates). Count two "
               "directions per layer; the second layer's input is the first layer's output."),
    right_answer=answers.lstm_parameters,
    wrong_answers=[answers.lstm_parameters_one_bias, answers.lstm_parameters_layer1_reads_64,
                   answers.lstm_parameters_one_direction, answers.lstm_parameters_gru_factor],
)

# ---------------------------------------------------------------------------------------------
# q3 · what is true of gated RNNs
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "along the cell-state path, the gradient from c_t to c_{t−1} is multiplied by the forget "
         "gate f_t only, with no weight matrix in between",
    "b": "a GRU keeps a cell state next to its hidden state, as an LSTM does",
    "c": "in PyTorch's GRU, a unit whose update gate z_t is 1 copies its hidden state unchanged "
         "to the next step",
    "d": "a bidirectional LSTM can be trained as a next-character language model just like a "
         "one-directional one",
    "e": "an LSTM's gradients cannot explode, so it never needs gradient clipping",
    "f": "for the same input and hidden sizes, a GRU layer has 3/4 of an LSTM layer's parameters",
}

q3 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q3 · what gates do",
    hint_text=("c_t = f_t·c_{t−1} + i_t·g_t: follow the first term back one step. The GRU's "
               "h_t = (1 − z_t)·n_t + z_t·h_{t−1} is its only state. A backward direction reads "
               "the characters after position t, the very ones a language model must predict. "
               "The other paths through W_hh can still grow. Count the blocks of weights: "
               "GRU r, z, n; LSTM i, f, g, o."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_separate_gru_cell,
                   answers.true_statements_with_bidirectional_lm,
                   answers.true_statements_without_parameter_ratio],
)
