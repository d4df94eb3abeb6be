"""Exercises of L3.23 · Applications tour (应用场景).

    from dlcourse.exercises import l3_23 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l3_23_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · seasonal_naive, against an explicit loop over the forecast steps
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(23)
    return {
        "a series of 48 steps, period 24, horizon 24": (torch.randn(48, generator=g), 24, 24),
        "a series of 50 steps, period 7, horizon 3 (less than a season)": (torch.randn(50, generator=g), 7, 3),
        "a series of 40 steps, period 12, horizon 30 (more than two seasons)": (torch.randn(40, generator=g), 12, 30),
        "a batch (5, 100) of series, period 24, horizon 36": (torch.randn(5, 100, generator=g), 24, 36),
        "a (2, 3, 20) batch, period 1 (the plain naive forecast), horizon 4":
            (torch.randn(2, 3, 20, generator=g), 1, 4),
    }


def _seasonal_naive_reference(series, period, horizon):
    """ŷ_{T+h} = y_{T+h−m·k}, k the smallest whole number of seasons that reaches the data."""
    import torch
    t = series.shape[-1]
    steps = []
    for h in range(1, horizon + 1):
        k = (h - 1) // period + 1
        steps.append(series[..., t + h - period * k - 1])
    return torch.stack(steps, dim=-1)


q1 = write_function(
    "seasonal_naive(series, period, horizon)", _seasonal_naive_reference, _q1_cases, rtol=0, atol=0,
    name="Q1 · seasonal naive",
    hint_text=("Take the last season, last = series[..., -period:]; forecast step h (from 0) is "
               "last[..., h % period]. A list of indices picks them all at once."),
    right_answer=answers.seasonal_naive,
    mistakes=[
        (answers.seasonal_naive_last_value,
         "that repeats the last value (the naive forecast): repeat the last *season* instead"),
        (answers.seasonal_naive_first_season,
         "that repeats the first season of the series; the forecast copies the most recent one, "
         "series[..., -period:]"),
        (answers.seasonal_naive_no_wrap,
         "past one season ahead the forecast must start the season again: step h copies step "
         "h mod period of the last season"),
        (answers.seasonal_naive_off_by_one,
         "off by one: the first forecast step copies the value exactly one period before it, "
         "series[..., -period]"),
    ],
)

# ---------------------------------------------------------------------------------------------
# q2 · how far the seasonal-naive forecast is from the best one on pattern + noise
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.naive_over_best_mae, what="the ratio", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.naive_over_best_mae_variance(): "2 is the ratio of the error *variances*; the MAE "
                                                "grows with the standard deviation",
        answers.naive_over_best_mae_same(): "the seasonal naive copies last season's noise into "
                                            "its forecast: its error is the difference of two "
                                            "independent noise values",
    },
    name="Q2 · the price of copying noise",
    hint_text=("The best forecast's error is the new noise e_t. The seasonal naive's error is "
               "e_t − e_{t−m}, a Gaussian with twice the variance. For a zero-mean Gaussian, "
               "E|x| is proportional to its standard deviation."),
    right_answer=answers.naive_over_best_mae,
    wrong_answers=[answers.naive_over_best_mae_variance, answers.naive_over_best_mae_same],
)

# ---------------------------------------------------------------------------------------------
# q3 · what is true of the three applications
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "when recall@10 is measured on held-out interactions, the items a user already has in "
         "training must be left out of the top-10 list",
    "b": "the spectrum averaged over time of a chirp sweeping up is (up to noise) that of the same "
         "chirp sweeping down, so a classifier of the mean spectrum cannot tell them apart",
    "c": "doubling the STFT window makes both the frequency and the time resolution twice as fine",
    "d": "training and test windows drawn at random from the whole series, shuffled together, "
         "measure how well a model forecasts the future",
    "e": "matrix factorization scores a user–item pair by the dot product of their embeddings; "
         "users who clicked the same items are pushed towards similar embeddings",
}

q3 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q3 · three applications",
    hint_text=("A longer window sees more periods of a sine (finer pitch) but over a longer time "
               "(coarser timing). Random windows share values with their neighbours across the "
               "split: the test leaks into training. A training item in the top 10 is a wasted "
               "slot: it can never be a held-out hit."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_with_resolution,
                   answers.true_statements_with_shuffled_split,
                   answers.true_statements_without_masking],
)
