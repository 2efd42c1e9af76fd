"""nnlib: a small numpy reference implementation of everything the course teaches."""
