"""Training by gradient descent: mini-batches, epochs, learning-rate decay, early stopping.

One step on a batch: forward, loss, backward, then every parameter moves against its
gradient, θ ← θ - α ∂J/∂θ, with the penalty's gradient added for weights (L2: 2λW, L1:
λ sign W). ``batch_size`` picks the flavour: None (the whole set) is batch gradient descent,
1 is stochastic gradient descent, anything between is mini-batch. After each epoch the
learning rate decays, α ← α d.

When the last layer is Sigmoid and the loss "bce", or Softmax and "cce", the step takes the
fused gradient dZ = (A - Y) / m straight from the last layer's input Z: exact and cheaper.
"""

from dataclasses import dataclass, field

import numpy as np

from nnlib.errors import ShapeError, TrainingDiverged
from nnlib.losses import FUSED, LOSSES
from nnlib.metrics import to_labels
from nnlib.regularizers import l1_gradient, l1_penalty, l2_gradient, l2_penalty


@dataclass
class History:
    """What ``fit`` records, one entry per epoch (index 0 is the first epoch).

    train_loss, train_accuracy: averaged over the epoch's batches, as training saw them
                                (the loss includes the penalty).
    val_loss, val_accuracy:     on the validation set after the epoch (empty without one).
    lr:                         the learning rate used in each epoch.
    best_epoch:                 index of the lowest validation loss (None without validation).
    stopped_early:              True if patience ran out before ``epochs``.
    """

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def epochs(self):
        """The number of epochs run."""
        return len(self.train_loss)


def decay_learning_rate(lr, d):
    """α ← α d, applied once per epoch.  lr: the current rate; d: the decay factor in (0, 1].
    Returns the new rate."""
    return lr * d


class EarlyStopping:
    """The course's early-stopping rule, fed one validation loss per epoch.

    patience: how many epochs in a row without a strictly lower validation loss end training
              (None: never stop, only remember the best epoch).
    Attributes: best_epoch (the first epoch with the lowest loss so far, None before any),
    best_loss, waited (epochs since the best), should_stop.
    """

    def __init__(self, patience=None):
        self.patience = patience
        self.best_epoch, self.best_loss, self.waited = None, np.inf, 0

    def update(self, epoch, val_loss):
        """Record ``val_loss`` after ``epoch``. Returns True when it is the best so far."""
        if val_loss < self.best_loss:
            self.best_epoch, self.best_loss, self.waited = epoch, val_loss, 0
            return True
        self.waited += 1
        return False

    @property
    def should_stop(self):
        return self.patience is not None and self.waited >= self.patience


def early_stopping_point(val_loss, patience):
    """Where early stopping ends a run whose validation losses are ``val_loss``.

    val_loss: validation loss after each epoch, shape (n_epochs,).
    patience: how many epochs in a row without a strictly lower loss end training.
    Returns (best_epoch, stop_epoch), counted from 0: the first epoch with the lowest loss up
    to the stop, and the last epoch run (n_epochs - 1 when patience never runs out).
    """
    rule = EarlyStopping(patience)
    for epoch, loss in enumerate(val_loss):
        rule.update(epoch, loss)
        if rule.should_stop:
            return rule.best_epoch, epoch
    return rule.best_epoch, len(val_loss) - 1


def minibatches(m, batch_size, rng):
    """Yields index arrays that split range(m) into shuffled batches.

    m:          the number of examples.
    batch_size: examples per batch (None: all m in one batch); the last batch is smaller
                when m is not a multiple.
    rng:        a numpy.random.Generator; each call draws a fresh permutation.
    Every index appears exactly once per call (one epoch).
    """
    if batch_size is None:
        batch_size = m
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer or None; got {batch_size!r}.")
    order = rng.permutation(m)
    for start in range(0, m, int(batch_size)):
        yield order[start : start + int(batch_size)]


def train_batches(model, X, Y, batches, lr, loss):
    """One epoch as lesson 07 writes it: one gradient step per batch, in the order given.

    model:   a Sequential.  X: (m, n_in) inputs.  Y: (m, n_out) targets.
    batches: an iterable of int index arrays, e.g. ``minibatches(m, B, rng)``.
    lr:      the learning rate α.
    loss:    a function (A, Y_b) -> (J, dA), e.g. ``nnlib.losses.binary_cross_entropy``.
    Returns the list of batch costs, each computed before its batch's step; the model's
    parameters change in place, θ ← θ - α ∂J_B/∂θ.
    """
    costs = []
    for idx in batches:
        J, dA = loss(model.forward(X[idx], training=True), Y[idx])
        model.backward(dA)
        for _, value, grad in model.parameters():
            value -= lr * grad
        costs.append(J)
    return costs


def _loss_function(model, loss):
    """(loss function, fused): the fused (Z, Y) loss if the output layer allows it."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}; got {loss!r}.")
    if loss in FUSED and isinstance(model.layers[-1], FUSED[loss][0]):
        return FUSED[loss][1], True
    return LOSSES[loss], False


def _predicted_labels(out, fused):
    """Class labels from outputs; fused outputs are logits, where σ(z) ≥ 0.5 means z ≥ 0."""
    if fused and out.shape[1] == 1:
        return (out[:, 0] >= 0).astype(np.int64)
    return to_labels(out)


def _penalty(model, l1, l2):
    """λ₁ Σ|w| + λ₂ Σw² over the model's weights."""
    if not (l1 or l2):
        return 0.0
    weights = model.weights()
    return l1_penalty(weights, l1) + l2_penalty(weights, l2)


def _step(model, lr, l1, l2):
    """Move every parameter against its gradient, in place; weights also get the penalty's."""
    for name, value, grad in model.parameters():
        if name.endswith(".W") and (l1 or l2):
            grad = grad + l1_gradient(value, l1) + l2_gradient(value, l2)
        value -= lr * grad


def evaluate(model, X, Y, loss, l1=0.0, l2=0.0):
    """The cost (with penalty) and accuracy of the model on (X, Y), at evaluation.

    X: (m, n_in).  Y: (m, n_out) targets.  loss: "mse", "bce" or "cce".
    Returns (J, accuracy) as floats.
    """
    loss_function, fused = _loss_function(model, loss)
    out = model.forward(X, training=False, logits=fused)
    J, _ = loss_function(out, Y)
    correct = np.mean(_predicted_labels(out, fused) == to_labels(Y))
    return J + _penalty(model, l1, l2), float(correct)


def train_epoch(model, X, Y, *, loss, lr, batch_size=None, rng, l1=0.0, l2=0.0, epoch=0):
    """One pass over (X, Y) in shuffled batches, one gradient step per batch.

    X: (m, n_in) inputs.  Y: (m, n_out) targets.
    loss: "mse", "bce" or "cce".  lr: the learning rate.  batch_size: see ``minibatches``.
    rng: numpy.random.Generator for the shuffle.  l1, l2: penalty strengths λ.
    epoch: the epoch's index, for the error message if the loss diverges.
    Returns (J, accuracy): the batch costs and accuracies averaged over the epoch's examples.
    Raises TrainingDiverged if a batch's loss is NaN or infinite.
    """
    loss_function, fused = _loss_function(model, loss)
    m = X.shape[0]
    if len(Y) != m:
        raise ShapeError(
            f"X has {m} rows but Y has {len(Y)}; they need one target row per example."
        )
    labels = to_labels(Y)
    total_loss = 0.0
    total_correct = 0
    # weights that blow up are reported as TrainingDiverged, with advice, not as overflow warnings
    with np.errstate(over="ignore", invalid="ignore"):
        for idx in minibatches(m, batch_size, rng):
            Xb, Yb = X[idx], Y[idx]
            out = model.forward(Xb, training=True, logits=fused)
            J, grad = loss_function(out, Yb)
            J += _penalty(model, l1, l2)
            if not np.isfinite(J):
                raise TrainingDiverged(
                    f"the training loss became {J} in epoch {epoch + 1} with learning rate "
                    f"lr={lr:g}: the steps overshoot and the weights blow up. "
                    f"Try a smaller learning rate, e.g. lr={lr / 10:g}."
                )
            model.backward(grad, logits=fused, input_grad=False)
            _step(model, lr, l1, l2)
            total_loss += J * len(idx)
            total_correct += np.count_nonzero(_predicted_labels(out, fused) == labels[idx])
    return total_loss / m, total_correct / m


def fit(
    model,
    X,
    Y,
    *,
    loss,
    lr,
    epochs,
    batch_size=None,
    decay=1.0,
    l1=0.0,
    l2=0.0,
    validation=None,
    patience=None,
    seed=0,
    progress=False,
    callback=None,
):
    """Train ``model`` on (X, Y) by gradient descent and return its History.

    model:      a Sequential.
    X:          (m, n_in) inputs.  Y: (m, n_out) targets (one-hot for "cce", (m, 1) for "bce").
    loss:       "mse", "bce" or "cce".
    lr:         the learning rate α.  epochs: the maximum number of passes over the data.
    batch_size: None for batch gradient descent, 1 for SGD, else mini-batch.
    decay:      α ← α decay after every epoch.
    l1, l2:     penalty strengths: J = loss + l1 Σ|w| + l2 Σw² (weights only).
    validation: None or (X_val, Y_val), evaluated after every epoch.
    patience:   with a validation set, stop after this many epochs without a lower validation
                loss, and (whether it stopped or not) restore the weights of the best epoch.
    seed:       seeds the shuffling.
    progress:   show a tqdm progress bar over the epochs.
    callback:   called as callback(epoch, history) after every epoch, e.g. to redraw a plot.
    Returns a History.
    Raises TrainingDiverged when the loss becomes NaN or infinite.
    """
    if patience is not None and validation is None:
        raise ValueError(
            "early stopping (patience) needs a validation set: pass validation=(X_val, Y_val)."
        )
    _loss_function(model, loss)  # fail on a bad loss name before the first epoch
    rng = np.random.default_rng(seed)
    history = History()
    stopping, best_state = EarlyStopping(patience), None
    epoch_range = range(epochs)
    if progress:
        from tqdm.auto import tqdm

        epoch_range = tqdm(epoch_range, desc="training", unit="epoch")
    for epoch in epoch_range:
        J, acc = train_epoch(
            model, X, Y, loss=loss, lr=lr, batch_size=batch_size, rng=rng, l1=l1, l2=l2, epoch=epoch
        )
        history.train_loss.append(J)
        history.train_accuracy.append(acc)
        history.lr.append(lr)
        if validation is not None:
            val_loss, val_acc = evaluate(model, *validation, loss, l1, l2)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_acc)
            if stopping.update(epoch, val_loss):
                history.best_epoch = epoch
                if patience is not None:
                    best_state = model.get_state()
        if progress:
            epoch_range.set_postfix(loss=f"{J:.4f}")
        if callback is not None:
            callback(epoch, history)
        if stopping.should_stop:
            history.stopped_early = True
            break
        lr = decay_learning_rate(lr, decay)
    if best_state is not None:
        model.set_state(best_state)
    return history
