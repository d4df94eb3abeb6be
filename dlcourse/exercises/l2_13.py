"""Exercises of L2.13 · Tools of the trade (工具).

    from dlcourse.exercises import l2_13 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from . import l2_13_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · TensorBoard's smoothing, against the run comparer's (a transcription of TensorBoard's)
# ---------------------------------------------------------------------------------------------
def _q1_cases():
    import numpy as np
    rng = np.random.default_rng(13)
    steps = np.arange(300)
    loss = 2.3 * np.exp(-steps / 60) + 0.1 + 0.3 * rng.random(300)
    return {
        "a noisy decaying loss of 300 points, weight 0.6 (TensorBoard's default)": (loss, 0.6),
        "a random walk of 200 points, weight 0.9": (np.cumsum(rng.standard_normal(200)), 0.9),
        "random values of 50 points, weight 0.99": (rng.standard_normal(50) * 5 + 1, 0.99),
        "weight 0 (no smoothing)": (rng.random(20), 0.0),
        "one value, weight 0.9": (np.array([3.5]), 0.9),
        "a constant curve, weight 0.8": (np.full(30, 0.25), 0.8),
    }


def _smooth_reference(values, weight):
    from ..widgets.run_comparer import smooth
    return smooth(values, weight)


def _q1_diagnose(got, expected, args):
    import numpy as np
    got = np.asarray(got, dtype=np.float64)
    for wrong, why in [
            (answers.smooth_without_debiasing,
             "the curve starts near 0: divide the running average by 1 − weight^k after k values "
             "(the debiasing), as TensorBoard does"),
            (answers.smooth_from_first_value,
             "TensorBoard starts the average at 0 and debiases it; starting at the first value "
             "gives a different curve"),
            (answers.smooth_weight_swapped,
             "the weight multiplies the old average: last = weight·last + (1 − weight)·value")]:
        if got.shape == expected.shape and np.allclose(got, wrong(*args), rtol=1e-6, atol=1e-9):
            return why
    return None


q1 = write_function(
    "smooth(values, weight)", _smooth_reference, _q1_cases, rtol=1e-6, atol=1e-9,
    diagnose=_q1_diagnose,
    name="Q1 · TensorBoard's smoothing",
    hint_text=("Start with last = 0. For the k-th value v: last = weight·last + (1 − weight)·v, "
               "and the smoothed point is last / (1 − weight**k). Return a NumPy array as long "
               "as `values`."),
    right_answer=answers.smooth,
    wrong_answers=[answers.smooth_without_debiasing, answers.smooth_from_first_value,
                   answers.smooth_weight_swapped],
)

# ---------------------------------------------------------------------------------------------
# q2 · serving a demo and reading event files
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "a demo launched with server_name=\"127.0.0.1\" accepts connections only from programs on "
         "the same machine",
    "b": "server_name=\"0.0.0.0\" listens on every network interface: anyone who can reach the "
         "machine's address can use the demo",
    "c": "with share=False, Gradio still sends the uploaded images through Gradio's servers",
    "d": "EventAccumulator(logdir), after .Reload(), returns a tag's points with .Scalars(tag), each "
         "with wall_time, step and value",
    "e": "EventAccumulator keeps every point of a long run unless told otherwise",
    "f": "SummaryWriter.add_scalar writes the value to the event file on disk before it returns",
}

q2 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q2 · serving and logging",
    hint_text=("127.0.0.1 is the loopback address: traffic to it never leaves the machine. "
               "0.0.0.0 means every interface. Only share=True opens a tunnel through Gradio's "
               "servers. EventAccumulator samples each tag down to size_guidance points "
               "(10,000 scalars by default), and SummaryWriter buffers its events until flush()."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_open_to_all, answers.true_statements_keeps_all,
                   answers.true_statements_writes_at_once],
)

# ---------------------------------------------------------------------------------------------
# q3 · the second smoothed point
# ---------------------------------------------------------------------------------------------
q3 = number(
    answers.second_smoothed_point, what="the smoothed value", rtol=1e-4, atol=0,
    mistakes=lambda: {
        answers.second_smoothed_point_without_debiasing(): "that is the average before "
                                                           "debiasing: divide by 1 − 0.9²",
        answers.second_smoothed_point_from_first_value(): "TensorBoard starts the average at 0 "
                                                          "and debiases it, not at the first value",
        answers.second_smoothed_point_mean(): "that is the plain mean of the two values; the "
                                              "exponential average weighs them differently",
    },
    name="Q3 · the second smoothed point",
    hint_text=("last = 0.9·0 + 0.1·2 after the first value, then last = 0.9·last + 0.1·1; the "
               "point shown is last / (1 − 0.9²)."),
    right_answer=answers.second_smoothed_point,
    wrong_answers=[answers.second_smoothed_point_without_debiasing,
                   answers.second_smoothed_point_from_first_value, answers.second_smoothed_point_mean],
)
