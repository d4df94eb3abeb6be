"""Grading: the instructor's batch grader (`dlcourse grade`) and the learner's check (`dlcourse check`).

One concern per module:

    course     nbgrader course folders: make one, generate an assignment (shared with ci/assignments.py)
    intake     find and normalise submissions (folders, LMS zips), flag what is odd about them
    sandbox    run one submission's autograde in a limited subprocess (environment, memory, time)
    gradebook  the template gradebook of the workers, and the serial merge of their results
    batch      orchestrate: plan what changed, grade in parallel, merge, report
    report     the summary table, summary.csv, and nbgrader's grades.csv export
    selfcheck  run an assignment's visible tests with nbclient, no nbgrader needed (Colab)

Importing this package is cheap: nbgrader, nbclient and psutil load only when a function needs them.
"""
