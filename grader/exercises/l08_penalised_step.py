"""Lesson 08's penalised training step on a real network, graded on what its steps compute.

The student writes ``penalised_step(params, X, Y, lr, l2, l1, activations) -> (J, new_params)``:
one step of gradient descent on J = BCE + l2 Σ w² + l1 Σ |w| (weights only, the course's
convention: gradient 2·l2·W + l1·sign W, sign(0) = 0) for a network of ``nnlib.mlp``'s plain
functions. The check runs it a few times from a fixed start, each step from the parameters
the last one returned, and compares every J and the final parameters with
``nnlib.penalised.penalised_step``'s. A slip is recognised by the parameters and costs it
reaches from the same start (``_descend``).

Every hidden case has both penalties on and a weight that is exactly 0 (where sign(0) = 0
decides), and its last one a first-layer weight of ±LARGE_WEIGHT: the penalty is then so large
that central differences of J are off by far more than the threshold, so only an analytic
gradient passes (nnlib's central differences are stubbed while grading: see ``reference``).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from grader.checks import CheckFailed, compare
from grader.exercise import Case, Exercise, register
from grader.failures import every_part
from grader.kit import expect_scalar, expect_tuple
from nnlib.penalised import penalised_step
from nnlib.regularizers import l1_gradient, l1_penalty, l2_gradient, l2_penalty

LARGE_WEIGHT = 1e5
HIDDEN = ("tanh", "sigmoid")


def _visible_case() -> Case:
    """A 2-3-1 tanh network on 4 examples, both penalties on, an exact zero in W1."""
    params = [
        (np.array([[0.5, -1.0, 0.0], [2.0, 0.25, -0.5]]), np.array([0.1, -0.2, 0.3])),
        (np.array([[1.0], [-2.0], [0.5]]), np.array([0.7])),
    ]
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.5], [2.0, 1.0]])
    Y = np.array([[1.0], [0.0], [0.0], [1.0]])
    inputs = {"params": params, "X": X, "Y": Y, "lr": 0.5, "l2": 0.1, "l1": 0.05}
    inputs |= {"activations": ["tanh", "identity"], "steps": 3}
    return Case(inputs, label="3 steps of a 2-3-1 network, l2 = 0.1, l1 = 0.05")


def _random_case(rng: np.random.Generator, large: bool) -> Case:
    """1 or 2 hidden layers of random widths, m examples, 1 to 4 steps; every weight matrix
    has an exact zero, and with ``large`` W1's first weight is ±LARGE_WEIGHT."""
    sizes = [int(n) for n in rng.integers(1, 6, size=int(rng.integers(3, 5)))]
    sizes[-1] = 1
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        W = rng.normal(size=(n_in, n_out))
        W.flat[int(rng.integers(W.size))] = 0.0
        params.append((W, rng.normal(scale=0.5, size=n_out)))
    if large:
        params[0][0][0, 0] = LARGE_WEIGHT * rng.choice([-1.0, 1.0])
    m = int(rng.integers(3, 9))
    hidden = [str(rng.choice(HIDDEN)) for _ in sizes[2:]]
    inputs = {
        "params": params,
        "X": rng.normal(size=(m, sizes[0])),
        "Y": rng.integers(0, 2, size=(m, 1)).astype(float),
        "lr": float(rng.uniform(0.1, 1.0)),
        "l2": float(rng.uniform(0.01, 0.1)),
        "l1": float(rng.uniform(0.01, 0.1)),
        "activations": [*hidden, "identity"],
        "steps": int(rng.integers(1, 5)),
    }
    steps = f"{inputs['steps']} step" + "s" * (inputs["steps"] > 1)
    label = f"{steps} of a {'-'.join(map(str, sizes))} network, m = {m}"
    return Case(inputs, label=label + (", one large weight" if large else ""))


def _descend(start, X, Y, lr, steps, activations, w_grad, b_grad, penalty):
    """The costs and parameters that a step with a given penalty reaches.

    start: list of (W, b).  w_grad(W), b_grad(b): the penalty's gradient the step adds to dW
    and db.  penalty(params) -> float: the penalty the step adds to J.
    Returns (Js, params): the J of each step (before it) and the parameters after the last.
    """
    params, Js = start, []
    for _ in range(steps):
        loss, plain = penalised_step(params, X, Y, lr, 0.0, 0.0, activations)
        Js.append(loss + penalty(params))
        params = [
            (W_new - lr * w_grad(W), b_new - lr * b_grad(b))
            for (W, b), (W_new, b_new) in zip(params, plain, strict=True)
        ]
    return Js, params


def _slips(inputs) -> dict[str | tuple[str, str], tuple]:
    """{diagnosis: (Js, params)} that each known slip reaches from the case's start.

    A diagnosis is one sentence for both parts, or a pair (what J shows, what the parameters
    show) where the two parts need their own words: two slips that reach the same parameters
    share the second.
    """
    start, X, Y, lr, l2, l1, activations, steps = inputs.values()
    m = len(X)

    def weights(params):
        return [W for W, _ in params]

    def right(W):
        return l2_gradient(W, l2) + l1_gradient(W, l1)

    def cost(params):
        return l2_penalty(weights(params), l2) + l1_penalty(weights(params), l1)

    def zero(array):
        return np.zeros_like(array)

    def descend(lr, w_grad, b_grad, penalty):
        return _descend(start, X, Y, lr, steps, activations, w_grad, b_grad, penalty)

    half_gradient = (
        "dW has l2·W where 2·l2·W belongs: the derivative of λw² is 2λw (l2·W is the gradient of "
        "½λΣw², the convention of CS231n's second assignment)"
    )
    return {
        "the step went uphill: move against the gradient, θ ← θ − α·∂J/∂θ": descend(
            -lr, right, zero, cost
        ),
        "the penalty's gradient is missing from dW: J has l2·Σw² + l1·Σ|w|, so each dW needs "
        "2·l2·W + l1·sign(W) added to the loss's gradient": descend(lr, zero, zero, cost),
        "J leaves out the penalty: J is the loss plus l2·Σw² + l1·Σ|w|": descend(
            lr, right, zero, lambda params: 0.0
        ),
        (
            "J has ½λΣw², the convention of CS231n's second assignment; this course's L2 "
            "penalty is λΣw²",
            half_gradient,
        ): descend(
            lr,
            lambda W: right(W) - l2 * W,
            zero,
            lambda params: cost(params) - l2_penalty(weights(params), l2) / 2,
        ),
        half_gradient: descend(lr, lambda W: right(W) - l2 * W, zero, cost),
        "the biases were penalised too: the penalty applies to weight matrices only": descend(
            lr,
            right,
            right,
            lambda params: (
                cost(params)
                + l2_penalty([b for _, b in params], l2)
                + l1_penalty([b for _, b in params], l1)
            ),
        ),
        f"the L2 penalty was divided by 2m (deeplearning.ai's λ/(2m)·Σw², m = {m}); this "
        "course's is λΣw² with gradient 2λW": descend(
            lr,
            lambda W: right(W) - l2_gradient(W, l2) * (1 - 1 / (2 * m)),
            zero,
            lambda params: cost(params) - l2_penalty(weights(params), l2) * (1 - 1 / (2 * m)),
        ),
        "where a weight is exactly 0, L1's gradient must be 0 (sign(0) = 0), not ±l1": descend(
            lr, lambda W: right(W) + l1 * (W == 0), zero, cost
        ),
        "L1 and L2 are swapped: l2 goes with w² (gradient 2·l2·W) and l1 with |w| "
        "(gradient l1·sign W)": descend(
            lr,
            lambda W: l2_gradient(W, l1) + l1_gradient(W, l2),
            zero,
            lambda params: l2_penalty(weights(params), l1) + l1_penalty(weights(params), l2),
        ),
    }


def _words(diagnosis: str | tuple[str, str], part: int) -> str:
    """A slip's diagnosis for one part of the result: 0 for J, 1 for the parameters."""
    return diagnosis if isinstance(diagnosis, str) else diagnosis[part]


def _is_step_result(answer, layers: int) -> bool:
    """True when ``answer`` can be a (J, new_params) pair for a network of ``layers`` layers,
    so that the next step can start from its new_params."""
    return (
        isinstance(answer, (tuple, list))
        and len(answer) == 2
        and isinstance(answer[1], (tuple, list))
        and len(answer[1]) == layers
        and all(isinstance(pair, (tuple, list)) and len(pair) == 2 for pair in answer[1])
    )


def _pairs(new_params, start) -> list[tuple[np.ndarray, np.ndarray]]:
    """The returned parameters as a list of (W, b) shaped like ``start``; CheckFailed
    saying what came back otherwise."""
    __tracebackhide__ = True
    wanted = f"new_params should be a list of {len(start)} pairs (W, b), one per layer"
    if not isinstance(new_params, (list, tuple)) or len(new_params) != len(start):
        raise CheckFailed(f"{wanted}; got {type(new_params).__name__} of another length.")
    pairs = []
    for layer, (pair, (W, b)) in enumerate(zip(new_params, start, strict=True), start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise CheckFailed(f"{wanted}; layer {layer}'s entry is not a pair (W, b).")
        for name, got, shape in ((f"W{layer}", pair[0], W.shape), (f"b{layer}", pair[1], b.shape)):
            if np.shape(got) != shape:
                raise CheckFailed(
                    f"penalised_step returned {name} with shape {np.shape(got)}; expected "
                    f"{shape}, the shape of the {name} it was given."
                )
        pairs.append((pair[0], pair[1]))
    return pairs


@register
class PenalisedStep(Exercise):
    """penalised_step(params, X, Y, lr, l2, l1, activations) -> (J, new_params)."""

    name = "penalised_step"
    reference = (
        "nnlib.penalised.penalised_step",
        "nnlib.penalised.penalised_cost",
        "nnlib.gradcheck.numerical_gradient",
        "nnlib.gradcheck.numerical_gradient_array",
    )

    def cases(self, rng, hidden):
        if not hidden:
            return [_visible_case()]
        return [_random_case(rng, large=trial == 3) for trial in range(4)]

    def call(self, fn, inputs):
        """The student's step, run ``steps`` times, each from the parameters the last returned.
        Returns the list of what each call returned (it stops after a malformed one)."""
        params, answers = inputs["params"], []
        given = [inputs[key] for key in ("X", "Y", "lr", "l2", "l1", "activations")]
        for _ in range(inputs["steps"]):
            answers.append(fn(params, *given))
            if not _is_step_result(answers[-1], len(params)):
                break
            params = answers[-1][1]
        return answers

    def judge(self, case, outputs):
        __tracebackhide__ = True
        inputs = case.inputs
        Js = []
        for answer in outputs:
            J, new_params = expect_tuple(self.name, answer, ("J", "new_params"), numbers=("J",))
            Js.append(expect_scalar("J", J))
        params = _pairs(new_params, inputs["params"])
        start, X, Y, lr, l2, l1, activations, steps = inputs.values()
        expected_Js, expected = [], start
        for _ in range(steps):
            J, expected = penalised_step(expected, X, Y, lr, l2, l1, activations)
            expected_Js.append(J)
        slips = _slips(inputs)
        parts = [
            partial(
                compare,
                "J of each step",
                np.array(Js),
                np.array(expected_Js),
                mistakes={_words(words, 0): path[0] for words, path in slips.items()},
            )
        ]
        after = f"after {steps} step{'s' * (steps > 1)}"
        for layer, (pair, right) in enumerate(zip(params, expected, strict=True)):
            for index, name in enumerate(("W", "b")):
                reached = {_words(words, 1): path[1][layer][index] for words, path in slips.items()}
                parts.append(
                    partial(
                        compare,
                        f"{name}{layer + 1} {after}",
                        pair[index],
                        right[index],
                        mistakes=reached,
                    )
                )
        every_part(*parts)
