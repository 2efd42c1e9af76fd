"""Lesson 04's exercise on a unit that feeds two or more others: its δ is a sum over roads.

The graph is ``nnlib.shared_unit``'s: x (n,) -> hidden sigmoid unit f_h -> K sigmoid outputs
f_k -> loss = ½ Σ (y_k - f_k)². δ is the course's convention, ∂loss/∂(a unit's output).

Every hidden draw holds a case whose hidden unit is saturated (e_h between 17 and 19): there
σ'(e_h) is below 1e-7 and central differences of the loss are off by far more than the
threshold, so an answer estimated numerically fails on every seed.
"""

from __future__ import annotations

import numpy as np

from grader.checks import check_gradient
from grader.exercise import Case, Exercise, register
from grader.kit import expect_scalar, expect_tuple
from nnlib.activations import sigmoid, sigmoid_derivative
from nnlib.shared_unit import shared_unit_backward, shared_unit_forward, shared_unit_roads


def _hidden_case(rng, saturated: bool) -> Case:
    """A random graph with n inputs and K outputs, n != K; saturated: e_h in [17, 19]."""
    n, K = (int(v) for v in rng.choice(np.arange(2, 7), size=2, replace=False))
    x = rng.choice([-1.0, 1.0], size=n) * rng.uniform(0.5, 1.5, size=n)
    w_in = rng.normal(size=n)
    if saturated:  # rescale w_in so that w_in · x lands in [17, 19]
        w_in = w_in + x * (1.0 - w_in @ x) / (x @ x)  # now w_in · x = 1 exactly
        w_in = w_in * rng.uniform(17.0, 19.0)
    inputs = {
        "x": x,
        "w_in": w_in,
        "w_out": rng.choice([-1.0, 1.0], size=K) * rng.uniform(0.5, 2.0, size=K),
        "y": rng.integers(0, 2, size=K).astype(np.float64),
    }
    label = f"n = {n} inputs, K = {K} outputs" + (", saturated hidden unit" if saturated else "")
    return Case(inputs, label=label)


@register
class SharedUnitBackward(Exercise):
    """shared_unit_backward(x, w_in, w_out, y) -> (delta_h, dw_in (n,), dw_out (K,))."""

    name = "shared_unit_backward"
    reference = (
        "nnlib.shared_unit.shared_unit_backward",
        "nnlib.gradcheck.numerical_gradient",
        "nnlib.gradcheck.numerical_gradient_array",
    )
    hidden_trials = 4

    def cases(self, rng, hidden):
        if not hidden:
            inputs = {
                "x": np.array([1.0, 0.5, -1.0]),
                "w_in": np.array([0.5, -0.5, 0.25]),
                "w_out": np.array([1.0, -2.0]),
                "y": np.array([1.0, 0.0]),
            }
            return [Case(inputs, label="n = 3 inputs, K = 2 outputs")]
        return [_hidden_case(rng, saturated=t == 0) for t in range(self.hidden_trials)]

    def judge(self, case, outputs):
        delta_h, dw_in, dw_out = expect_tuple(
            "shared_unit_backward", outputs, ("delta_h", "dw_in", "dw_out")
        )
        x, w_in, w_out, y = case.inputs.values()
        v, dloss_de_out, roads = shared_unit_roads(x, w_in, w_out, y)
        right_delta, right_dw_in, right_dw_out = shared_unit_backward(x, w_in, w_out, y)
        slope_h = float(sigmoid_derivative(v.e_h))
        K = len(w_out)

        def loss_of_f_h(f_h):
            return 0.5 * np.sum((y - sigmoid(w_out * float(f_h))) ** 2)

        if np.shape(delta_h) == (K,):  # one term per road, not yet added up
            check_gradient(
                "delta_h",
                delta_h,
                loss_of_f_h,
                np.float64(v.f_h),
                1.0,
                expected=right_delta,
                mistakes={
                    "delta_h holds one term per road: f_h reaches the loss along every road, "
                    "and a small change adds up along all of them, so add the terms": roads
                },
            )
        one_road = {
            f"only the road through output {k + 1} was followed: f_h feeds all {K} outputs, "
            "and its δ gets one term per road": roads[k]
            for k in (0, K - 1)
        }
        delta_mistakes = one_road | {
            "the roads were averaged: δ_h adds the effect of every road, it does not "
            "average them": right_delta / K,
            "the output units' slope σ'(e_k) is missing from the roads": float(
                np.sum((v.f_out - y) * w_out)
            ),
            "this is ∂loss/∂e_h, Nielsen's δ (with respect to the weighted input); the course's "
            "δ_h is ∂loss/∂f_h, one factor σ'(e_h) earlier": right_delta * slope_h,
        }
        check_gradient(
            "delta_h",
            expect_scalar("delta_h", delta_h),
            loss_of_f_h,
            np.float64(v.f_h),
            1.0,
            expected=right_delta,
            mistakes=delta_mistakes,
        )
        check_gradient(
            "dw_out",
            dw_out,
            lambda w: shared_unit_forward(x, w_in, w, y).loss,
            w_out,
            1.0,
            expected=right_dw_out,
            mistakes={
                "dw_out is missing its input f_h: ∂e_k/∂w_out[k] = f_h": dloss_de_out,
                "dw_out is missing the output units' slope σ'(e_k)": (v.f_out - y) * v.f_h,
            },
        )
        check_gradient(
            "dw_in",
            dw_in,
            lambda w: shared_unit_forward(x, w, w_out, y).loss,
            w_in,
            1.0,
            expected=right_dw_in,
            mistakes={
                "dw_in is missing the hidden unit's slope σ'(e_h)": right_delta * x,
                "dw_in used Nielsen's δ and then σ'(e_h) again: the slope appears twice": (
                    right_dw_in * slope_h
                ),
            }
            | {
                f"dw_in followed only the road through output {k + 1}: use the summed δ_h": (
                    roads[k] * slope_h * x
                )
                for k in (0, K - 1)
            },
        )
