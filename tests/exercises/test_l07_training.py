"""Lesson 07's exercise specs: right answers pass, known mistakes are named, nonsense fails."""

import numpy as np
import pytest

from grader import CheckFailed, check
from grader.exercise import Case, get
from grader.exercises.l07_epoch import TrainEpoch, build_model
from nnlib.data import StandardScaler
from nnlib.training import train_epoch as nnlib_train_epoch

SEEDS = range(8)


def batches_with(order="permutation", drop_last=False, fresh_rng=False):
    """A minibatch_indices, right by default, or with one known mistake."""

    def minibatch_indices(m, batch_size, rng):
        if fresh_rng:
            rng = np.random.default_rng(0)
        orders = {
            "permutation": lambda: rng.permutation(m),
            "unshuffled": lambda: np.arange(m),
            "with replacement": lambda: rng.integers(0, m, size=m),
            "global": lambda: np.random.default_rng(12345).permutation(m),
        }
        indices = orders[order]()
        stop = m - m % batch_size if drop_last else m
        for start in range(0, stop, batch_size):
            yield indices[start : start + batch_size]

    return minibatch_indices


def epoch_with(sign=1.0, in_place=True, update_inside=True, whole_set=False):
    """A train_epoch, right by default, or with one known mistake."""

    def train_epoch(model, X, Y, batches, lr, loss):
        costs = []
        for idx in batches:
            Xb, Yb = (X, Y) if whole_set else (X[idx], Y[idx])
            J, dA = loss(model.forward(Xb, training=True), Yb)
            model.backward(dA)
            costs.append(J)
            if update_inside:
                for _, value, grad in model.parameters():
                    if in_place:
                        value -= sign * lr * grad
                    else:
                        value = value - sign * lr * grad  # noqa: F841 (the mistake under test)
        if not update_inside:
            for _, value, grad in model.parameters():
                value -= lr * grad
        return costs

    return train_epoch


def right_schedule(lr0, d, n_epochs):
    return lr0 * d ** np.arange(n_epochs)


def min_max_with(fit_on="train", axis=0, use_range=True):
    """A min_max_scale, right by default, or with one known mistake."""

    def min_max_scale(X_train, X_test, a=0.0, b=1.0):
        def stats(X):
            low, high = X.min(axis=axis, keepdims=True), X.max(axis=axis, keepdims=True)
            return low, np.where(high > low, high - low, 1.0)

        fitted = {"train": X_train, "all": np.vstack([X_train, X_test])}
        results = []
        for X in (X_train, X_test):
            low, span = stats(X if fit_on == "own" else fitted[fit_on])
            results.append(a + (X - low) * (b - a) / span if use_range else (X - low) / span)
        return tuple(results)

    return min_max_scale


def z_score_with(fit_on="train", ddof=0):
    """A z_score_scale, right by default, or with one known mistake."""

    def z_score_scale(X_train, X_test):
        fitted = {"train": X_train, "all": np.vstack([X_train, X_test])}
        results = []
        for X in (X_train, X_test):
            source = X if fit_on == "own" else fitted[fit_on]
            std = source.std(axis=0, ddof=ddof)
            results.append((X - source.mean(axis=0)) / np.where(std > 0, std, 1.0))
        return tuple(results)

    return z_score_scale


RIGHT = {
    "minibatch_indices": batches_with(),
    "train_epoch": epoch_with(),
    "learning_rate_schedule": right_schedule,
    "min_max_scale": min_max_with(),
    "z_score_scale": z_score_with(),
}


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_right_answers_pass_visible_and_hidden_checks(name, capsys):
    check(name, RIGHT[name])
    for seed in SEEDS:
        check(name, RIGHT[name], hidden=True, seed=seed)
    assert f"✔ {name}: 1 check passed" in capsys.readouterr().out


MISTAKES = [
    ("minibatch_indices", batches_with(drop_last=True), "the last, smaller batch was dropped"),
    ("minibatch_indices", batches_with(order="unshuffled"), "in the original order"),
    ("minibatch_indices", batches_with(order="with replacement"), "drawn with replacement"),
    ("minibatch_indices", batches_with(fresh_rng=True), "epoch 2 repeats the order of epoch 1"),
    ("minibatch_indices", batches_with(order="global"), "the same order every epoch"),
    ("train_epoch", epoch_with(in_place=False), "the parameters did not change"),
    ("train_epoch", epoch_with(sign=-1.0), "the update has the wrong sign"),
    ("train_epoch", epoch_with(update_inside=False), "only one update was made"),
    ("train_epoch", epoch_with(whole_set=True), "every step used all of X"),
    (
        "learning_rate_schedule",
        lambda lr0, d, n: lr0 * d ** np.arange(1, n + 1),
        "epoch 0 uses lr0 itself",
    ),
    ("learning_rate_schedule", lambda lr0, d, n: lr0 / (1 + d * np.arange(n)), "time-based"),
    ("learning_rate_schedule", lambda lr0, d, n: lr0 * d * np.arange(n), "is a power"),
    ("min_max_scale", min_max_with(fit_on="all"), "fitted on all the data"),
    ("min_max_scale", min_max_with(fit_on="own"), "X_test was scaled with its own statistics"),
    ("min_max_scale", min_max_with(fit_on="own", axis=1), "taken over each row"),
    ("min_max_scale", min_max_with(fit_on="own", axis=None), "taken over the whole array"),
    ("z_score_scale", z_score_with(fit_on="all"), "fitted on all the data"),
    ("z_score_scale", z_score_with(fit_on="own"), "X_test was scaled with its own statistics"),
    ("z_score_scale", z_score_with(ddof=1), "sample standard deviation (ddof=1)"),
]


@pytest.mark.parametrize(("name", "fn", "diagnosis"), MISTAKES)
def test_known_mistakes_are_named_in_the_visible_check(name, fn, diagnosis):
    with pytest.raises(CheckFailed, match="Diagnosis|epoch") as failure:
        check(name, fn)
    assert diagnosis in str(failure.value)


def test_ignoring_the_range_is_named_on_hidden_cases():
    # The visible case uses [0, 1], where ignoring a and b changes nothing; hidden ones do not.
    with pytest.raises(CheckFailed, match="a and b were ignored"):
        for seed in SEEDS:
            check("min_max_scale", min_max_with(use_range=False), hidden=True, seed=seed)


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_plainly_wrong_answers_fail_with_a_message(name):
    def wrong(*args, **kwargs):
        result = RIGHT[name](*args, **kwargs)
        if name == "minibatch_indices":
            return [batch[:1] for batch in result]
        if name == "train_epoch":
            return [cost + 1.0 for cost in result]
        if name == "learning_rate_schedule":
            return result + 0.01
        return tuple(X + 0.5 for X in result)

    with pytest.raises(CheckFailed, match=r"is wrong|never appear|costs"):
        check(name, wrong)


def test_unwritten_exercise_says_so():
    def minibatch_indices(m, batch_size, rng):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match="not written yet"):
        check("minibatch_indices", minibatch_indices)


def test_train_epoch_answer_key_agrees_with_nnlib_average_cost():
    # The batch costs the check expects average (weighted by batch size) to nnlib's epoch cost.
    exercise = TrainEpoch()
    for case in exercise.cases(np.random.default_rng(3), hidden=True):
        outputs = exercise.call(epoch_with(), case.inputs)
        sizes = np.array([len(idx) for idx in case.inputs["batches"]])
        model = build_model(case.inputs["spec"])
        J, _ = nnlib_train_epoch(
            model,
            case.inputs["X"],
            case.inputs["Y"],
            loss=case.inputs["loss"],
            lr=case.inputs["lr"],
            batch_size=case.secret["batch_size"],
            rng=np.random.default_rng(case.secret["seed"]),
        )
        assert np.sum(np.array(outputs["costs"]) * sizes) / sizes.sum() == pytest.approx(
            J, rel=1e-9
        )


def test_batch_size_read_as_the_number_of_batches_is_named():
    def minibatch_indices(m, batch_size, rng):
        return np.array_split(rng.permutation(m), batch_size)

    with pytest.raises(CheckFailed, match="not the number of batches"):
        check("minibatch_indices", minibatch_indices)


def test_no_false_alarm_when_a_random_order_happens_to_be_sorted_or_repeated():
    # Permutations of 3 examples are often the identity, or equal in both epochs.
    for seed in range(200):
        case = {"m": 3, "batch_size": 2, "seed": seed}
        exercise = get("minibatch_indices")
        outputs = exercise.call(batches_with(), case)
        exercise.judge(Case(case), outputs)


def test_a_column_constant_up_to_rounding_maps_to_exactly_zero():
    # The mean of seven copies of 0.1 or 123.456789 rounds, so their computed σ is not 0.
    X = np.column_stack([np.full(7, 0.1), np.full(7, 123.456789), np.arange(7.0)])
    assert np.all(X[:, :2].std(axis=0) > 0)
    scaled = StandardScaler().fit(X).transform(np.vstack([X, [[1.1, 0.0, 3.0]]]))
    assert np.array_equal(scaled[:7, :2], np.zeros((7, 2)))
    assert scaled[7, 0] == pytest.approx(1.0) and scaled[7, 1] == pytest.approx(-123.456789)
    assert scaled[:7, 2] == pytest.approx((np.arange(7) - 3) / 2)


def test_hidden_constant_columns_are_exactly_constant_with_an_exact_mean():
    for seed in range(20):
        cases = get("z_score_scale").cases(np.random.default_rng(seed), hidden=True)
        column = cases[-1].inputs["X_train"][:, 0]
        assert np.all(column == column[0]) and column.std() == 0.0
