"""Exercises of L1.00 · The deep-learning revolution (深度学习革命).

    from dlcourse.exercises import l1_00 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

import math

from .. import check
from ..check import CheckFailed
from . import Exercise

# ---------------------------------------------------------------------------------------------
# q1 · learning paradigms
# ---------------------------------------------------------------------------------------------
PARADIGMS = ("supervised", "unsupervised", "reinforcement", "generative")

Q1_SCENARIOS = {
    "a": "Sort email into spam / not spam, learning from 10,000 emails people have labelled",
    "b": "Group a shop's customers into segments when nobody has labelled any customer",
    "c": "Learn to play Go by playing millions of games, told only who won at the end",
    "d": "Produce new, realistic photos of faces that belong to no real person",
    "e": "Predict a flat's sale price from its size and location, given past sales",
}
Q1_EXPECTED = {"a": "supervised", "b": "unsupervised", "c": "reinforcement",
               "d": "generative", "e": "supervised"}


def _normalize_label(value, allowed, name):
    if not isinstance(value, str):
        raise CheckFailed(f"{name}: expected a string such as {allowed[0]!r}, got {value!r}")
    label = value.strip().lower().replace("learning", "").replace("-", " ").strip()
    if label not in allowed:
        raise CheckFailed(f"{name}: {value!r} is not one of {', '.join(map(repr, allowed))}")
    return label


def _check_labels(answer, expected, allowed, what):
    if not isinstance(answer, dict):
        raise CheckFailed(f"expected a dict like {{'a': {allowed[0]!r}, ...}}, "
                          f"got {type(answer).__name__}")
    keys = {str(k).strip().lower(): v for k, v in answer.items()}
    missing = sorted(set(expected) - set(keys))
    if missing:
        raise CheckFailed(f"no answer yet for {', '.join(missing)}: give one {what} per letter "
                          f"{', '.join(sorted(expected))}")
    wrong = [k for k in sorted(expected)
             if _normalize_label(keys[k], allowed, f"answer[{k!r}]") != expected[k]]
    if wrong:
        raise CheckFailed(f"{len(wrong)} of {len(expected)} not right yet: look again at "
                          f"{', '.join(wrong)}")


q1 = Exercise(
    name="Q1 · learning paradigms",
    checker=lambda answer: _check_labels(answer, Q1_EXPECTED, PARADIGMS, "paradigm"),
    hint_text=("Ask what the learner is given. Inputs with the right outputs → supervised. "
               "Inputs only, find structure → unsupervised. Actions and a reward signal, no "
               "right answers → reinforcement. New samples that look like the data → "
               "generative."),
    solution_code="""
answer = {"a": "supervised", "b": "unsupervised", "c": "reinforcement",
          "d": "generative", "e": "supervised"}
""",
    wrong_codes=[
        # everything with a label looks supervised
        'answer = {"a": "supervised", "b": "unsupervised", "c": "supervised", '
        '"d": "generative", "e": "supervised"}',
        # generating faces mistaken for unsupervised clustering
        'answer = {"a": "supervised", "b": "unsupervised", "c": "reinforcement", '
        '"d": "unsupervised", "e": "supervised"}',
        # segments mistaken for classes
        'answer = {"a": "supervised", "b": "supervised", "c": "reinforcement", '
        '"d": "generative", "e": "supervised"}',
        # one scenario left out
        'answer = {"a": "supervised", "b": "unsupervised", "c": "reinforcement", '
        '"d": "generative"}',
    ],
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

q2 = Exercise(
    name="Q2 · classification or regression",
    checker=lambda answer: _check_labels(answer, Q2_EXPECTED, TASKS, "task type"),
    hint_text=("Look at the output, not the input. A number on a continuous scale (°C, years, "
               "euros) → regression. One choice out of a fixed set of categories → "
               "classification, however many categories there are."),
    solution_code="""
answer = {"a": "regression", "b": "classification", "c": "regression",
          "d": "classification", "e": "classification"}
""",
    wrong_codes=[
        # digits are numbers, so it must be regression?
        'answer = {"a": "regression", "b": "regression", "c": "regression", '
        '"d": "classification", "e": "classification"}',
        # 50,000 classes feels like too many for classification
        'answer = {"a": "regression", "b": "classification", "c": "regression", '
        '"d": "classification", "e": "regression"}',
        # age in whole years treated as classes
        'answer = {"a": "regression", "b": "classification", "c": "classification", '
        '"d": "classification", "e": "classification"}',
    ],
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


def _check_order(answer):
    if not isinstance(answer, (list, tuple)):
        raise CheckFailed(f"expected a list of the five names, got {type(answer).__name__}")
    names = {n.lower(): n for n in Q3_EVENTS}
    got = []
    for item in answer:
        if not isinstance(item, str) or item.strip().lower() not in names:
            raise CheckFailed(f"{item!r} is not one of {', '.join(map(repr, Q3_EVENTS))}")
        got.append(names[item.strip().lower()])
    if sorted(got) != sorted(Q3_EVENTS):
        raise CheckFailed(f"use each of the five names exactly once; you gave {got}")
    expected = sorted(Q3_EVENTS, key=Q3_EVENTS.get)
    if got != expected:
        i = next(i for i, (g, e) in enumerate(zip(got, expected)) if g != e)
        raise CheckFailed(f"not in order yet: {got[i]!r} does not belong in position {i + 1}")


q3 = Exercise(
    name="Q3 · the timeline",
    checker=_check_order,
    hint_text=("The perceptron came first, in the 1950s. Backpropagation was popularised in the "
               "1980s, deep belief nets revived deep learning in the 2000s, then the GPU era "
               "began with an ImageNet win, and attention took over at the end of the 2010s."),
    solution_code="""
answer = ["Perceptron", "Backpropagation", "Deep belief nets", "AlexNet", "Transformer"]
""",
    wrong_codes=[
        'answer = ["Perceptron", "Deep belief nets", "Backpropagation", "AlexNet", "Transformer"]',
        'answer = ["Backpropagation", "Perceptron", "Deep belief nets", "AlexNet", "Transformer"]',
        'answer = ["Perceptron", "Backpropagation", "Deep belief nets", "Transformer", "AlexNet"]',
        'answer = ["Perceptron", "Backpropagation", "AlexNet", "Transformer"]',
    ],
)

# ---------------------------------------------------------------------------------------------
# q4 · doubling time from a growth factor
# ---------------------------------------------------------------------------------------------
Q4_FACTOR, Q4_YEARS = 300.0, 2.5
Q4_EXPECTED = 12 * Q4_YEARS / math.log2(Q4_FACTOR)  # ≈ 3.65 months


def _check_q4(answer):
    if isinstance(answer, (list, tuple, dict, str)):
        raise CheckFailed(f"expected one number (months), got {type(answer).__name__}")
    check.close(float(answer), Q4_EXPECTED, name="doubling time in months", rtol=1e-3, atol=0)


q4 = Exercise(
    name="Q4 · doubling time",
    checker=_check_q4,
    hint_text=("Steady exponential growth with doubling time T multiplies by 2^(t/T) in time t. "
               "Set 2^(t/T) = 300 with t = 30 months and solve for T: T = t / log2(300). "
               "`math.log2` is log base 2."),
    solution_code="""
import math
answer = 12 * 2.5 / math.log2(300)   # months
""",
    wrong_codes=[
        "import math\nanswer = 12 * 2.5 / math.log(300)     # natural log, not log2",
        "import math\nanswer = 2.5 / math.log2(300)         # years, not months",
        "answer = 12 * 2.5 / (300 / 2)                   # linear, not exponential growth",
    ],
)

# ---------------------------------------------------------------------------------------------
# q5 · two eras of growth
# ---------------------------------------------------------------------------------------------
Q5_MONTHS = 60
Q5_EXPECTED = (2 ** (Q5_MONTHS / 3.4), 2 ** (Q5_MONTHS / 24))


def _check_q5(answer):
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        raise CheckFailed("expected a pair (factor at 3.4-month doubling, factor at 24-month "
                          f"doubling), got {answer!r}")
    fast, slow = (float(a) for a in answer)
    check.close(slow, Q5_EXPECTED[1], name="the growth factor at a 24-month doubling time",
                rtol=1e-3, atol=0)
    check.close(fast, Q5_EXPECTED[0], name="the growth factor at a 3.4-month doubling time",
                rtol=1e-3, atol=0)


q5 = Exercise(
    name="Q5 · two eras",
    checker=_check_q5,
    hint_text=("In 5 years = 60 months, a quantity that doubles every T months doubles 60/T "
               "times: it grows by 2 ** (60 / T). Give (modern era factor, old era factor)."),
    solution_code="""
answer = (2 ** (60 / 3.4), 2 ** (60 / 24))
""",
    wrong_codes=[
        "answer = (2 ** (5 / 3.4), 2 ** (5 / 24))        # years mixed with months",
        "answer = (2 * 60 / 3.4, 2 * 60 / 24)            # linear, not exponential",
        "answer = (2 ** (60 / 24), 2 ** (60 / 3.4))      # the pair the wrong way round",
    ],
)
