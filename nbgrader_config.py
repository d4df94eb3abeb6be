# nbgrader configuration of the course (read by every `nbgrader ...` command run from the repository
# root, and by ci/assignments.py, which loads this file into its temporary course directories).
#
# Layout (COURSE.md §2, §5):
#   solutions/<A>/<A>.ipynb     instructor source: solutions, visible and hidden tests
#   assignments/<A>/<A>.ipynb   student version, written by `nbgrader generate_assignment <A> --force`
#                               and committed (never edited by hand; ci/assignments.py checks it)
#   submitted/, autograded/, feedback/, gradebook.db   instructor-side grading state (git-ignored)
#
# nbgrader writes the release to {release_directory}/{assignment}/ (its student id for the release is
# "."), so release_directory = "assignments" gives assignments/<A>/<A>.ipynb directly. Note that
# nbgrader's `solution_directory` ("solution", used by `nbgrader generate_solution`) is unrelated to
# our `solutions/` folder, which is nbgrader's *source* directory.
c = get_config()  # noqa: F821  (provided by traitlets when it runs this file)

c.CourseDirectory.course_id = "dlcourse"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"

# Distributing through an exchange (JupyterHub): `nbgrader release_assignment <A>` copies
# assignments/<A>/ to {Exchange.root}/dlcourse/outbound/<A>/. The exchange is optional: the committed
# assignments/ folder is what self-learners and Colab use. Set the root for your hub, e.g.
# c.Exchange.root = "/srv/nbgrader/exchange"

# Autograding runs student code: bound every cell. A cell that runs past the timeout is interrupted
# and recorded as a CellTimeoutError (its test fails), and the rest of the notebook still runs.
c.Execute.timeout = 60
c.Execute.startup_timeout = 120
c.Execute.interrupt_on_timeout = True
# A kernel that dies (os._exit, segfault, out of memory) fails that one submission; nbgrader logs it,
# goes on with the other students, and exits non-zero at the end of the batch.

# Keep huge outputs (print in a loop) out of the gradebook and the feedback.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# The stubs the student sees in place of `### BEGIN SOLUTION ... ### END SOLUTION` are nbgrader's
# defaults ("# YOUR CODE HERE" + `raise NotImplementedError()`; "YOUR ANSWER HERE" for written
# answers): every autograded test must fail on them, which the round trip checks (untouched = 0).
