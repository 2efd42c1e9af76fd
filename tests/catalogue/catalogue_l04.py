"""Lesson 04's catalogue: the chain rule and gradient descent.

Mistakes that students make on σ', one neuron's gradient, the descent loop, central
differences and the δ of a unit with several roads; and right answers written other ways.
Gradients estimated by central differences fail only the hidden cases with saturated units,
not the visible one, so ``tests/exercises/test_l04_shared_unit.py`` holds them
(``*_central_difference`` below).
"""

import numpy as np
from entries import Correct, Mistake


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- sigmoid_derivative -------------------------------------------------------------------


def sigmoid_derivative_of_a(z):
    a = sigmoid(z)
    return sigmoid(a) * (1 - sigmoid(a))


def sigmoid_derivative_z_one_minus_z(z):
    return z * (1 - z)


def sigmoid_derivative_is_sigmoid(z):
    return sigmoid(z)


def sigmoid_derivative_tanh_pattern(z):
    return 1 - sigmoid(z) ** 2


def sigmoid_derivative_central_difference(z):
    h = 1e-5
    return (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)


def sigmoid_derivative_exp_form(z):
    return np.exp(-z) / (1 + np.exp(-z)) ** 2


def sigmoid_derivative_product_of_two(z):
    return 1.0 / ((1.0 + np.exp(-z)) * (1.0 + np.exp(z)))


# --- neuron_gradient ----------------------------------------------------------------------


def neuron_gradient_half(a_prev, w, b, y):
    z = w @ a_prev + b
    a = sigmoid(z)
    dz = a * (1 - a) * (a - y)
    return a_prev * dz, dz


def neuron_gradient_no_slope(a_prev, w, b, y):
    a = sigmoid(w @ a_prev + b)
    return a_prev * 2 * (a - y), 2 * (a - y)


def neuron_gradient_slope_at_a(a_prev, w, b, y):
    a = sigmoid(w @ a_prev + b)
    s = sigmoid(a)
    return a_prev * s * (1 - s) * 2 * (a - y), s * (1 - s) * 2 * (a - y)


def neuron_gradient_central_difference(a_prev, w, b, y):
    def cost(v, c):
        return (sigmoid(v @ a_prev + c) - y) ** 2

    h = 1e-5
    dw = np.array([(cost(w + h * e, b) - cost(w - h * e, b)) / (2 * h) for e in np.eye(len(w))])
    return dw, (cost(w, b + h) - cost(w, b - h)) / (2 * h)


def neuron_gradient_loop(a_prev, w, b, y):
    z = sum(wi * ai for wi, ai in zip(w, a_prev, strict=True)) + b
    a = sigmoid(z)
    dC_dz = 2 * (a - y) * a * (1 - a)
    return np.array([ai * dC_dz for ai in a_prev]), float(dC_dz)


# --- gradient_descent ---------------------------------------------------------------------


def gradient_descent_uphill(grad, w0, lr, steps):
    path = [np.array(w0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] + lr * grad(path[-1]))
    return np.array(path)


def gradient_descent_in_place(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w -= lr * grad(w)
        path.append(w)
    return np.array(path)


def gradient_descent_no_start(grad, w0, lr, steps):
    w, path = np.array(w0, dtype=float), []
    for _ in range(steps):
        w = w - lr * grad(w)
        path.append(w)
    return np.array(path)


def gradient_descent_no_lr(grad, w0, lr, steps):
    path = [np.array(w0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - grad(path[-1]))
    return np.array(path)


def gradient_descent_preallocated(grad, w0, lr, steps):
    path = np.zeros((steps + 1, len(w0)))
    path[0] = w0
    for t in range(steps):
        path[t + 1] = path[t] - lr * np.asarray(grad(path[t]))
    return path


def gradient_descent_printing(grad, w0, lr, steps):
    w, path = np.asarray(w0, dtype=float), []
    while len(path) <= steps:
        path.append(w.copy())
        print("step", len(path) - 1, "w =", w)
        w = w - lr * grad(w)
    return np.vstack(path)


# --- central_difference -------------------------------------------------------------------


def _nudged(w, i, h):
    step = np.zeros(len(w))
    step[i] = h
    return step


def central_difference_forward(f, w, h=1e-5):
    return np.array([(f(w + _nudged(w, i, h)) - f(w)) / h for i in range(len(w))])


def central_difference_over_h(f, w, h=1e-5):
    return np.array(
        [(f(w + _nudged(w, i, h)) - f(w - _nudged(w, i, h))) / h for i in range(len(w))]
    )


def central_difference_all_at_once(f, w, h=1e-5):
    return np.array([(f(w + h) - f(w - h)) / (2 * h) for _ in range(len(w))])


def central_difference_with_eye(f, w, h=1e-5):
    w = np.asarray(w, dtype=float)
    return np.array([(f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(w.size)])


def central_difference_restoring(f, w, h=1e-5):
    w = np.array(w, dtype=float)
    grad = []
    for i in range(w.size):
        old = w[i]
        w[i] = old + h
        plus = f(w)
        w[i] = old - h
        minus = f(w)
        w[i] = old
        grad.append((plus - minus) / (2 * h))
    return np.array(grad)


# --- shared_unit_backward -----------------------------------------------------------------


def _forward(x, w_in, w_out):
    f_h = sigmoid(w_in @ x)
    f_out = sigmoid(w_out * f_h)
    return f_h, f_out


def shared_unit_first_road_only(x, w_in, w_out, y):
    f_h, f_out = _forward(x, w_in, w_out)
    through_e = (f_out - y) * f_out * (1 - f_out)
    delta_h = through_e[0] * w_out[0]
    return delta_h, delta_h * f_h * (1 - f_h) * x, through_e * f_h


def shared_unit_averaged_roads(x, w_in, w_out, y):
    f_h, f_out = _forward(x, w_in, w_out)
    through_e = (f_out - y) * f_out * (1 - f_out)
    delta_h = np.mean(through_e * w_out)
    return delta_h, delta_h * f_h * (1 - f_h) * x, through_e * f_h


def shared_unit_no_output_slope(x, w_in, w_out, y):
    f_h, f_out = _forward(x, w_in, w_out)
    delta_h = np.sum((f_out - y) * w_out)
    return delta_h, delta_h * f_h * (1 - f_h) * x, (f_out - y) * f_out * (1 - f_out) * f_h


def shared_unit_nielsen_delta(x, w_in, w_out, y):
    f_h, f_out = _forward(x, w_in, w_out)
    through_e = (f_out - y) * f_out * (1 - f_out)
    delta_z = np.sum(through_e * w_out) * f_h * (1 - f_h)
    return delta_z, delta_z * x, through_e * f_h


def shared_unit_roads_not_added(x, w_in, w_out, y):
    f_h, f_out = _forward(x, w_in, w_out)
    through_e = (f_out - y) * f_out * (1 - f_out)
    roads = through_e * w_out
    return roads, np.sum(roads) * f_h * (1 - f_h) * x, through_e * f_h


def shared_unit_dw_out_without_f_h(x, w_in, w_out, y):
    f_h, f_out = _forward(x, w_in, w_out)
    through_e = (f_out - y) * f_out * (1 - f_out)
    delta_h = np.sum(through_e * w_out)
    return delta_h, delta_h * f_h * (1 - f_h) * x, through_e


def shared_unit_dw_in_without_slope(x, w_in, w_out, y):
    f_h, f_out = _forward(x, w_in, w_out)
    through_e = (f_out - y) * f_out * (1 - f_out)
    delta_h = np.sum(through_e * w_out)
    return delta_h, delta_h * x, through_e * f_h


def shared_unit_central_difference(x, w_in, w_out, y):
    def loss(wi, wo):
        return 0.5 * np.sum((y - _forward(x, wi, wo)[1]) ** 2)

    h, f_h = 1e-5, sigmoid(w_in @ x)
    dw_in = np.array(
        [
            (loss(w_in + h * e, w_out) - loss(w_in - h * e, w_out)) / (2 * h)
            for e in np.eye(len(w_in))
        ]
    )
    dw_out = np.array(
        [
            (loss(w_in, w_out + h * e) - loss(w_in, w_out - h * e)) / (2 * h)
            for e in np.eye(len(w_out))
        ]
    )
    return dw_in[0] / (f_h * (1 - f_h) * x[0]), dw_in, dw_out


def shared_unit_loop(x, w_in, w_out, y):
    f_h = sigmoid(sum(a * b for a, b in zip(w_in, x, strict=True)))
    delta_h, dw_out = 0.0, []
    for w_k, y_k in zip(w_out, y, strict=True):
        f_k = sigmoid(w_k * f_h)
        through = (f_k - y_k) * f_k * (1 - f_k)
        delta_h += through * w_k
        dw_out.append(through * f_h)
    return delta_h, np.array([delta_h * f_h * (1 - f_h) * x_i for x_i in x]), np.array(dw_out)


def shared_unit_matrix_form(x, w_in, w_out, y):
    f_h = sigmoid(np.atleast_1d(w_in @ x))  # (1,)
    e_out = np.outer(f_h, w_out)  # (1, K), a layer of K units reading one input
    f_out = sigmoid(e_out)
    dZ = (f_out - y) * f_out * (1 - f_out)
    delta_h = (dZ @ w_out[:, None]).item()
    return delta_h, delta_h * (f_h * (1 - f_h)).item() * x, (f_h[:, None] * dZ).ravel()


MISTAKES = [
    Mistake("sigmoid_derivative", sigmoid_derivative_of_a, "applies σ' to A = σ(z)"),
    Mistake("sigmoid_derivative", sigmoid_derivative_z_one_minus_z, "computes z(1 − z)"),
    Mistake("sigmoid_derivative", sigmoid_derivative_is_sigmoid, "sigmoid(z) itself"),
    Mistake("sigmoid_derivative", sigmoid_derivative_tanh_pattern, "the pattern of tanh'"),
    Mistake("neuron_gradient", neuron_gradient_half, "half of the right value"),
    Mistake("neuron_gradient", neuron_gradient_no_slope, "sigmoid'(z) is missing"),
    Mistake("neuron_gradient", neuron_gradient_slope_at_a, "taken at a instead of at z"),
    Mistake("gradient_descent", gradient_descent_uphill, "the steps go uphill"),
    Mistake("gradient_descent", gradient_descent_in_place, "every row is the last point"),
    Mistake("gradient_descent", gradient_descent_no_start, "the starting point w0 is missing"),
    Mistake("gradient_descent", gradient_descent_no_lr, "the learning rate was not used"),
    Mistake("central_difference", central_difference_forward, "forward difference"),
    Mistake("central_difference", central_difference_over_h, "divides by 2h, not h"),
    Mistake("central_difference", central_difference_all_at_once, "nudged at once"),
    Mistake("shared_unit_backward", shared_unit_first_road_only, "only the road through output 1"),
    Mistake("shared_unit_backward", shared_unit_averaged_roads, "the roads were averaged"),
    Mistake("shared_unit_backward", shared_unit_no_output_slope, "slope σ'(e_k) is missing"),
    Mistake("shared_unit_backward", shared_unit_nielsen_delta, "Nielsen's δ"),
    Mistake("shared_unit_backward", shared_unit_roads_not_added, "one term per road"),
    Mistake("shared_unit_backward", shared_unit_dw_out_without_f_h, "missing its input f_h"),
    Mistake("shared_unit_backward", shared_unit_dw_in_without_slope, "dw_in is missing"),
]

CORRECT = [
    Correct("sigmoid_derivative", sigmoid_derivative_exp_form),
    Correct("sigmoid_derivative", sigmoid_derivative_product_of_two),
    Correct("neuron_gradient", neuron_gradient_loop),
    Correct("gradient_descent", gradient_descent_preallocated),
    Correct("gradient_descent", gradient_descent_printing),
    Correct("central_difference", central_difference_with_eye),
    Correct("central_difference", central_difference_restoring),
    Correct("shared_unit_backward", shared_unit_loop),
    Correct("shared_unit_backward", shared_unit_matrix_form),
]
