"""The graded exercises, one module per lesson (``lNN_name.py``), registered by name."""
