"""Exercises of L3.12 · GANs (生成对抗网络).

    from dlcourse.exercises import l3_12 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_12_answers as answers
from .kinds import choices, number, write_function


def _logits(seed, *shapes, scale=3.0):
    import torch
    g = torch.Generator().manual_seed(seed)
    return tuple(scale * torch.randn(*shape, generator=g, dtype=torch.float64) for shape in shapes)


# ---------------------------------------------------------------------------------------------
# q1 · the discriminator's loss from logits, against binary_cross_entropy_with_logits
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    return {
        "a batch of 16 real and 16 fake logits": _logits(1, (16, 1), (16, 1)),
        "8 real and 24 fake logits (different batch sizes)": _logits(2, (8, 1), (24, 1)),
        "a discriminator that wins by far (real logits +40, fake −40)":
            (torch.full((4, 1), 40.0, dtype=torch.float64), torch.full((4, 1), -40.0, dtype=torch.float64)),
        "a discriminator that loses by far (real logits −120, fake +120)":
            (torch.full((3, 1), -120.0, dtype=torch.float64), torch.full((3, 1), 120.0, dtype=torch.float64)),
    }


def _discriminator_reference(real_logits, fake_logits):
    import torch
    import torch.nn.functional as F
    return (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))


q1 = write_function(
    "discriminator_loss(real_logits, fake_logits)", _discriminator_reference, _q1_cases, rtol=1e-9, atol=1e-9,
    name="Q1 · the discriminator's loss",
    hint_text=("−log σ(ℓ) = softplus(−ℓ) and −log(1 − σ(ℓ)) = softplus(ℓ). The loss is the mean over "
               "the real batch of the first plus the mean over the fake batch of the second."),
    right_answer=answers.discriminator_loss,
    mistakes=[
        (answers.discriminator_loss_swapped, "the labels are swapped: real samples are 1, fakes 0"),
        (answers.discriminator_loss_no_minus,
         "that is the log-likelihood the discriminator maximizes; the loss is its negative"),
        (answers.discriminator_loss_naive,
         "through σ and log, a logit of ±120 gives log 0 = −inf; write −log σ(ℓ) as softplus(−ℓ)"),
    ],
)


# ---------------------------------------------------------------------------------------------
# q2 · the non-saturating generator loss
# ---------------------------------------------------------------------------------------------
def _q2_cases():
    import torch
    return {
        "32 fake logits": _logits(3, (32, 1)),
        "a (5, 1) batch the discriminator rejects firmly (logits −30)":
            (torch.full((5, 1), -30.0, dtype=torch.float64),),
        "a (4, 1) batch of mixed logits": (torch.tensor([[-200.0], [-2.0], [0.0], [5.0]], dtype=torch.float64),),
    }


def _generator_reference(fake_logits):
    import torch
    import torch.nn.functional as F
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


q2 = write_function(
    "generator_loss(fake_logits)", _generator_reference, _q2_cases, rtol=1e-9, atol=1e-9,
    name="Q2 · the non-saturating generator loss",
    hint_text="−log D(G(z)) = −log σ(ℓ) = softplus(−ℓ), averaged over the batch.",
    right_answer=answers.generator_loss,
    mistakes=[
        (answers.generator_loss_minimax,
         "that is the minimax loss log(1 − D(G(z))), which saturates; the non-saturating one is −log D(G(z))"),
        (answers.generator_loss_wrong_sign, "the sign: the generator minimizes −log D(G(z))"),
        (answers.generator_loss_summed, "average over the batch, as binary_cross_entropy_with_logits does"),
    ],
)

# ---------------------------------------------------------------------------------------------
# q3 · the optimal discriminator at one point
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.optimal_d, what="D*(x)", rtol=1e-6, atol=0,
    mistakes=lambda: {
        answers.optimal_d_swapped(): "that is p_g / (p_data + p_g): D* is the probability of *real*",
        answers.optimal_d_ratio(): "a probability is at most 1: divide by the sum of the densities",
        answers.optimal_d_half(): "½ is D* only where the two densities are equal",
    },
    name="Q3 · the optimal discriminator",
    hint_text="D*(x) = p_data(x) / (p_data(x) + p_g(x)).",
    right_answer=answers.optimal_d,
    wrong_answers=[answers.optimal_d_swapped, answers.optimal_d_ratio, answers.optimal_d_half],
)

# ---------------------------------------------------------------------------------------------
# q4 · what is true of GAN training
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "with the optimal discriminator, the minimax value is 2·JSD(p_data ‖ p_g) − log 4, smallest "
         "when p_g = p_data",
    "b": "the minimax generator loss log(1 − D(G(z))) gives the generator its largest gradients early "
         "in training, when D rejects the fakes easily",
    "c": "a generator that puts all its samples on one of the 8 modes can fool a discriminator that "
         "only looks at one sample at a time, until the discriminator learns that mode",
    "d": "at the equilibrium p_g = p_data, the optimal discriminator outputs ½ everywhere",
    "e": "a lower generator loss means better samples, so the loss curve tells when to stop training",
}

q4 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q4 · GAN training",
    hint_text=("Look at section 3's gradients for a fake the discriminator rejects, and at what the "
               "losses did in section 6 while the samples changed."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_minimax_strong,
                   answers.true_statements_with_loss_as_quality,
                   answers.true_statements_without_collapse],
)
