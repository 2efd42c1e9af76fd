"""The instructor's tool around nbgrader: release, bundle, collect, autograde, feedback,
report and export (``python -m grader``, see ``cli.py``).

Nothing here runs in a student's kernel, and none of it is shipped to students: the bundle and
the sandbox's course copy carry only the kernel side of ``grader`` (``KERNEL_SIDE_EXCLUDES``
names what they leave out).
"""

# The parts of the grader package that belong to the instructor's process.
KERNEL_SIDE_EXCLUDES = ("tool", "__main__.py")
