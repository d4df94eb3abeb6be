"""Exercises of L1.00 · The deep-learning revolution (深度学习革命).

    from dlcourse.exercises import l1_00 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

from .. import check
from . import Exercise
from . import l1_00_answers as answers
from .kinds import labels, number, ordering

# ---------------------------------------------------------------------------------------------
# q1 · learning paradigms
# ---------------------------------------------------------------------------------------------
PARADIGMS = ("supervised", "unsupervised", "reinforcement", "generative")
PARADIGM_ALIASES = {f"{p} learning": p for p in PARADIGMS}

Q1_SCENARIOS = {
    "a": "Sort email into spam / not spam, learning from 10,000 emails people have labelled",
    "b": "Group a shop's customers into segments when nobody has labelled any customer",
    "c": "Learn to play Go by playing millions of games, told only who won at the end",
    "d": "Produce new, realistic photos of faces that belong to no real person",
    "e": "Predict a flat's sale price from its size and location, given past sales",
}
Q1_EXPECTED = {"a": "supervised", "b": "unsupervised", "c": "reinforcement",
               "d": "generative", "e": "supervised"}

q1 = labels(
    Q1_EXPECTED, PARADIGMS, what="paradigm", aliases=PARADIGM_ALIASES,
    name="Q1 · learning paradigms",
    hint_text=("Ask what the learner is given. Inputs with the right outputs → supervised. "
               "Inputs only, find structure → unsupervised. Actions and a reward signal, no "
               "right answers → reinforcement. New samples that look like the data → "
               "generative."),
    right_answer=answers.paradigms,
    wrong_answers=[answers.paradigms_go_as_supervised, answers.paradigms_faces_as_clusters,
                   answers.paradigms_segments_as_classes, answers.paradigms_one_left_out],
)

# ---------------------------------------------------------------------------------------------
# q2 · classification or regression
# ---------------------------------------------------------------------------------------------
TASKS = ("classification", "regression")

Q2_TASKS = {
    "a": "Tomorrow's maximum temperature in °C",
    "b": "Which digit, 0 to 9, a 28×28 image shows",
    "c": "A person's age in years, from a photo",
    "d": "Whether a tumour is benign or malignant",
    "e": "The next word of a sentence, from a 50,000-word vocabulary",
}
Q2_EXPECTED = {"a": "regression", "b": "classification", "c": "regression",
               "d": "classification", "e": "classification"}

q2 = labels(
    Q2_EXPECTED, TASKS, what="task type",
    name="Q2 · classification or regression",
    hint_text=("Look at the output, not the input. A number on a continuous scale (°C, years, "
               "euros) → regression. One choice out of a fixed set of categories → "
               "classification, however many categories there are."),
    right_answer=answers.task_types,
    wrong_answers=[answers.task_types_digits_as_numbers, answers.task_types_vocabulary_too_big,
                   answers.task_types_age_as_classes],
)

# ---------------------------------------------------------------------------------------------
# q3 · the timeline
# ---------------------------------------------------------------------------------------------
Q3_EVENTS = {
    "Transformer": 2017,
    "Perceptron": 1958,
    "AlexNet": 2012,
    "Backpropagation": 1986,
    "Deep belief nets": 2006,
}

q3 = ordering(
    list(Q3_EVENTS), sorted(Q3_EVENTS, key=Q3_EVENTS.get),
    name="Q3 · the timeline",
    hint_text=("The perceptron came first, in the 1950s. Backpropagation was popularised in the "
               "1980s, deep belief nets revived deep learning in the 2000s, then the GPU era "
               "began with an ImageNet win, and attention took over at the end of the 2010s."),
    right_answer=answers.timeline,
    wrong_answers=[answers.timeline_belief_nets_too_early, answers.timeline_backprop_first,
                   answers.timeline_transformer_before_alexnet, answers.timeline_one_left_out],
)

# ---------------------------------------------------------------------------------------------
# q4 · doubling time from a growth factor
# ---------------------------------------------------------------------------------------------
Q4_FACTOR, Q4_YEARS = 300.0, 2.5

q4 = number(
    12 * Q4_YEARS / math.log2(Q4_FACTOR),  # ≈ 3.65 months
    what="doubling time in months", rtol=1e-3, atol=0,
    name="Q4 · doubling time",
    hint_text=("Steady exponential growth with doubling time T multiplies by 2^(t/T) in time t. "
               "Set 2^(t/T) = 300 with t = 30 months and solve for T: T = t / log2(300). "
               "`math.log2` is log base 2."),
    right_answer=answers.doubling_time,
    wrong_answers=[answers.doubling_time_natural_log, answers.doubling_time_in_years,
                   answers.doubling_time_linear],
)

# ---------------------------------------------------------------------------------------------
# q5 · two eras of growth
# ---------------------------------------------------------------------------------------------
Q5_MONTHS = 60
Q5_EXPECTED = (2 ** (Q5_MONTHS / 3.4), 2 ** (Q5_MONTHS / 24))


def _check_q5(answer):
    fast, slow = (check.as_number(a, "a growth factor")
                  for a in check.as_pair(answer, "factor at 3.4-month doubling, factor at "
                                                 "24-month doubling"))
    check.close(slow, Q5_EXPECTED[1], name="the growth factor at a 24-month doubling time",
                rtol=1e-3, atol=0)
    check.close(fast, Q5_EXPECTED[0], name="the growth factor at a 3.4-month doubling time",
                rtol=1e-3, atol=0)


q5 = Exercise(
    name="Q5 · two eras",
    checker=_check_q5,
    hint_text=("In 5 years = 60 months, a quantity that doubles every T months doubles 60/T "
               "times: it grows by 2 ** (60 / T). Give (modern era factor, old era factor)."),
    right_answer=answers.two_eras,
    wrong_answers=[answers.two_eras_in_years, answers.two_eras_linear, answers.two_eras_swapped],
)
