"""Exercises of L1.00 · The deep-learning revolution (深度学习革命).

    from dlcourse.exercises import l1_00 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

from . import l1_00_answers as answers
from .kinds import labels, number, ordering, write_function

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
# q3 · compute, not dates
# ---------------------------------------------------------------------------------------------
Q3_SYSTEMS = {  # training FLOPs, as in the widget's LANDMARKS (year in the comment)
    "Transformer": 2.3e19,          # Transformer (big), 2017
    "Stupid-backoff LM": 1.4e18,    # Brants et al., 2007
    "AlphaGo Zero": 1.6e23,         # 2017
    "AlexNet": 4.7e17,              # 2012
    "GNMT": 6.9e21,                 # Google Translate, 2016
}

q3 = ordering(
    list(Q3_SYSTEMS), sorted(Q3_SYSTEMS, key=Q3_SYSTEMS.get),
    name="Q3 · compute, not dates",
    hint_text=("Hover each dot in the explorer, or look the systems up in `LANDMARKS` (each has "
               ".name and .compute). On the log axis one gridline up is 10 times more compute. "
               "Influential is not the same as big, and two of the five are out of order with "
               "their dates."),
    right_answer=answers.compute_order,
    wrong_answers=[answers.compute_order_by_date, answers.compute_order_largest_first,
                   answers.compute_order_transformer_biggest, answers.compute_order_one_left_out],
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
# q5 · extrapolate the trend
# ---------------------------------------------------------------------------------------------
def _q5_cases():
    import numpy as np
    rng = np.random.default_rng(5)
    cases = {}
    for label, (start, end, log2_first, months, n, target) in {
            "20 systems of a noisy modern-era trend, target 10^27 FLOP":
                (2012, 2024, 56, 5.7, 20, 1e27),
            "12 systems of a noisy Moore's-law trend, target 10^20 FLOP":
                (1960, 2010, 20, 24.0, 12, 1e20)}.items():
        t = np.sort(rng.uniform(start, end, n))
        compute = 2.0 ** (log2_first + 12 * (t - start) / months + rng.normal(0, 1.5, n))
        cases[label] = (t, compute, target)
    t = np.array([2014.0, 2016.0, 2018.0, 2020.0])
    cases["an exact line, 10^20 FLOP doubling yearly from 2014"] = (t, 1e20 * 2.0 ** (t - 2014),
                                                                     1e24)
    cases["a target inside the data, 3 systems"] = (np.array([2012.5, 2015.0, 2019.25]),
                                                   np.array([4.7e17, 2.0e19, 3.1e22]), 1e20)
    return cases


def _year_reaching_reference(t, compute, flops):
    from ..widgets.compute_timeline import fit_doubling
    fit = fit_doubling(t, compute)             # the widget's least-squares fit
    return (math.log2(flops) - fit.intercept) * fit.doubling_months / 12


q5 = write_function(
    "year_reaching(t, compute, flops)", _year_reaching_reference, _q5_cases, rtol=0, atol=1e-4,
    name="Q5 · when does the trend reach it?",
    hint_text=("Fit the line log2(compute) = a + b·t as in section 7: b from the centred sums, then "
               "a = ȳ − b·t̄ (without it the line passes through the wrong point). The trend reaches "
               "`flops` where a + b·t = log2(flops): t = (log2(flops) − a) / b. Take the log of "
               "`flops` in the same base as the data."),
    right_answer=answers.year_reaching,
    wrong_answers=[answers.year_reaching_intercept_not_shifted,
                   answers.year_reaching_line_through_origin,
                   answers.year_reaching_mixed_log_bases,
                   answers.year_reaching_from_the_last_system],
)
