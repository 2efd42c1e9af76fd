"""``python -m grader``: the instructor's command line (see ``grader/tool/cli.py``)."""

import sys

from grader.tool.cli import main

sys.exit(main())
