"""Exercises of L3.17 · Pretraining & fine-tuning (预训练与微调).

    from dlcourse.exercises import l3_17 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_17_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · the LoRA forward pass, against F.linear with the merged weight W + (α/r)·B·A
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(17)

    def case(n, d_in, d_out, r, alpha, *lead):
        t = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64)   # noqa: E731
        return (t(*lead, n, d_in), t(d_out, d_in), t(d_out), t(r, d_in), t(d_out, r), alpha)

    return {
        "x (8, 16), a 16 → 24 layer, r = 4, α = 8": case(8, 16, 24, 4, 8.0),
        "x (2, 5, 32) (batch, tokens, features), 32 → 96, r = 2, α = 16": case(5, 32, 96, 2, 16.0, 2),
        "x (3, 12), a 12 → 7 layer, r = 1, α = 1": case(3, 12, 7, 1, 1.0),
        "x (4, 10), a square 10 → 10 layer, r = 8, α = 4": case(4, 10, 10, 8, 4.0),
    }


def _lora_reference(x, weight, bias, A, B, alpha):
    """One linear layer with the merged weight W + (α/r)·B·A."""
    import torch.nn.functional as F
    return F.linear(x, weight + (alpha / A.shape[0]) * B @ A, bias)


q1 = write_function(
    "lora_forward(x, weight, bias, A, B, alpha)", _lora_reference, _q1_cases,
    rtol=0, atol=1e-10, name="Q1 · the LoRA forward pass",
    hint_text=("The frozen layer is x @ weight.T + bias. The update goes through the rank-r "
               "bottleneck: (x @ A.T) has r features, then @ B.T brings it to the output size; "
               "scale it by alpha / r with r = A.shape[0]. Never form B @ A: that is the point."),
    right_answer=answers.lora_forward,
    mistakes=[
        (answers.lora_forward_no_scale, "the update is scaled by α/r: (α/r)·B·A·x"),
        (answers.lora_forward_alpha_only, "the scale is α/r, not α: r is A.shape[0]"),
        (answers.lora_forward_transposed, "x has features in its last axis, so x ↦ x·Aᵀ·Bᵀ (as x·Wᵀ), "
                                          "not x·(BA)"),
        (answers.lora_forward_no_base, "LoRA adds its update to the frozen layer's output W·x + b"),
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · LoRA's parameter count at GPT-2-small size
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.lora_parameters, what="the number of trainable parameters", whole=True,
    mistakes=lambda: {
        answers.lora_parameters_one_factor(): "each adapted matrix gets two factors, A (r × d) and B (d × r)",
        answers.lora_parameters_full_matrix(): "that is the full matrices, what full fine-tuning of W_q "
                                               "and W_v would train",
    },
    name="Q2 · counting LoRA's parameters",
    hint_text="Per adapted d_out × d_in matrix: A has r·d_in entries, B has d_out·r. Two matrices per "
              "layer, 12 layers.",
    right_answer=answers.lora_parameters,
    wrong_answers=[answers.lora_parameters_one_factor, answers.lora_parameters_full_matrix],
)


# ---------------------------------------------------------------------------------------------
# q3 · BERT's 80/10/10 rule
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.random_replacements, what="the expected number of tokens", rtol=1e-6,
    mistakes=lambda: {
        answers.random_replacements_of_all(): "the 10 % are of the chosen tokens, and 15 % of the tokens "
                                              "are chosen",
        answers.random_replacements_masked(): "that is how many become [MASK] (80 % of the chosen)",
    },
    name="Q3 · the 80/10/10 rule",
    hint_text="First the 15 % of the tokens that are chosen for prediction; then the share of those "
              "that get a random token.",
    right_answer=answers.random_replacements,
    wrong_answers=[answers.random_replacements_of_all, answers.random_replacements_masked],
)


# ---------------------------------------------------------------------------------------------
# q4 · pretraining objectives and fine-tuning
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "a masked language model's prediction at a masked position may use the tokens after it; a "
         "causal language model's prediction at position t may not",
    "b": "BERT's masked-language-model objective makes it a natural left-to-right text generator",
    "c": "at initialization (B = 0), a model with LoRA adapters computes exactly what the pretrained "
         "model computes",
    "d": "after merging W + (α/r)·B·A into the weights, the model is slower at inference than the "
         "pretrained model was",
    "e": "with LoRA, the optimizer's state (AdamW's two moments) is kept only for A and B, not for the "
         "frozen weights",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · objectives and fine-tuning",
    hint_text=("Which mask does each objective use? What does B·A equal when B = 0? A merged weight "
               "has the shape of the original one. Adam keeps moments only for what it updates."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_bert_generates,
                   answers.true_statements_with_merge_cost,
                   answers.true_statements_without_init],
)
