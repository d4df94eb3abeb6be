"""Grading: the instructor's batch grader (`dlcourse grade`) and the learner's check (`dlcourse check`).

One concern per module:

    course     nbgrader course folders: make one, generate an assignment (shared with ci/assignments.py)
    intake     find and normalise submissions (folders, LMS zips), flag what is odd about them
    scan       a static look at the student's own cells for known ways to cheat
    isolation  the bubblewrap sandbox a worker runs in (or why there is none)
    sandbox    run one submission's autograde in a limited subprocess (environment, memory, time)
    execute    the worker's Execute preprocessor: each test cell judged by evidence, outputs capped
    guard      inside the kernel: what the tests rely on, checked, and the signed evidence
    gradebook  the template gradebook of the workers, and the scores written from the verdicts
    feedback   nbgrader's feedback, made by the grader, without the hidden tests
    batch      orchestrate: plan what changed, grade in parallel, check and merge, report
    report     the summary table, summary.csv, and nbgrader's grades.csv export
    selfcheck  run an assignment's visible tests with nbclient, no nbgrader needed (Colab)

Importing this package is cheap: nbgrader, nbclient and psutil load only when a function needs them.
"""
