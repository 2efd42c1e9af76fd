"""The errors nnlib raises for bad input, each with a message that says what to fix.

They subclass the built-in errors a caller would expect (ValueError for bad arguments,
ArithmeticError for a loss that stopped being a number), so ``except ValueError`` still works.
"""


class ShapeError(ValueError):
    """An array has the wrong shape for the layer or function it was given to."""


class LabelError(ValueError):
    """Labels are in the wrong form: integers where one-hot rows are needed, or the reverse."""


class TrainingDiverged(ArithmeticError):
    """The loss became NaN or infinite during training (usually: the learning rate is too big)."""
