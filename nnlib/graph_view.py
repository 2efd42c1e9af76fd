"""A computational graph drawn as micrograd draws it: every edge carries the value that flows
forward along it (black, above) and the gradient that flows back along it (red, below).

``shared_unit_graph`` lays out the graph of ``nnlib.shared_unit`` with its numbers, and
``draw_graph`` draws any such layout.
"""

from dataclasses import dataclass

import numpy as np

from nnlib.shared_unit import shared_unit_roads

FORWARD_COLOUR, BACKWARD_COLOUR, NODE_COLOUR = "black", "#b2182b", "#deebf7"


@dataclass
class Edge:
    """One edge src -> dst: the value it carries forward, and the gradient of the loss with
    respect to that value along this edge alone (∂loss/∂value through dst)."""

    src: str
    dst: str
    value: float
    grad: float


def shared_unit_graph(x, w_in, w_out, y):
    """The graph of ``nnlib.shared_unit`` with its forward values and backward gradients.

    x (n,), w_in (n,), w_out (K,), y (K,): as ``shared_unit_forward``.
    Returns (positions, edges): positions {node label: (column, row)} and a list of Edge. The
    gradients on the K edges leaving f_h are the K terms of δ_h: they add up to it.
    """
    x, w_in, w_out, y = (np.asarray(v, dtype=np.float64) for v in (x, w_in, w_out, y))
    v, through_e, roads = shared_unit_roads(x, w_in, w_out, y)
    n, K = len(x), len(w_out)
    through_e_h = np.sum(roads) * v.f_h * (1.0 - v.f_h)  # ∂loss/∂e_h = δ_h σ'(e_h)
    middle = (K - 1) / 2
    positions = {"$e_h$": (1, middle), "$f_h$": (2, middle), "loss": (5, middle)}
    edges = []
    for i in range(n):
        positions[f"$x_{i + 1}$"] = (0, middle + (i - (n - 1) / 2))
        edges.append(Edge(f"$x_{i + 1}$", "$e_h$", x[i], through_e_h * w_in[i]))
    edges.append(Edge("$e_h$", "$f_h$", v.e_h, through_e_h))
    for k in range(K):
        e_k, f_k = f"$e_{k + 1}$", f"$f_{k + 1}$"
        positions[e_k], positions[f_k] = (3, k), (4, k)
        edges.append(Edge("$f_h$", e_k, v.f_h, roads[k]))
        edges.append(Edge(e_k, f_k, v.e_out[k], through_e[k]))
        edges.append(Edge(f_k, "loss", v.f_out[k], v.f_out[k] - y[k]))
    return positions, edges


def draw_graph(ax, positions, edges, title=""):
    """Draw nodes as boxes and edges as arrows labelled with value (above) and gradient (below).

    ax: a matplotlib Axes. positions: {label: (column, row)}. edges: a list of Edge.
    """
    for edge in edges:
        (x0, y0), (x1, y1) = positions[edge.src], positions[edge.dst]
        ax.annotate(
            "",
            (x1 - 0.22, y1 + 0.0),
            (x0 + 0.22, y0),
            arrowprops={"arrowstyle": "->", "color": "0.4", "lw": 1.2},
        )
        middle = ((x0 + x1) / 2, (y0 + y1) / 2)
        # Offsets in points, so that "above" is above on the screen whatever the axis direction.
        for text, colour, dy, va in (
            (f"{edge.value:.3f}", FORWARD_COLOUR, 4, "bottom"),
            (f"{edge.grad:+.4f}", BACKWARD_COLOUR, -4, "top"),
        ):
            ax.annotate(
                text,
                middle,
                xytext=(0, dy),
                textcoords="offset points",
                ha="center",
                va=va,
                fontsize=8,
                color=colour,
            )
    for label, (x, y) in positions.items():
        ax.text(
            x,
            y,
            label,
            ha="center",
            va="center",
            fontsize=11,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.35", "fc": NODE_COLOUR, "ec": "0.3"},
        )
    columns = [p[0] for p in positions.values()]
    rows = [p[1] for p in positions.values()]
    ax.set(xlim=(min(columns) - 0.4, max(columns) + 0.4), ylim=(max(rows) + 0.6, min(rows) - 0.6))
    ax.axis("off")
    ax.set_title(title)


def describe_graph(edges):
    """The graph in words, for a reader who cannot see the figure (its text alternative).

    edges: a list of Edge. Returns one sentence per edge, e.g. "f_h to e_1: forward 0.562,
    backward -0.0840.", in the order of the list.
    """

    def plain(label):
        return label.replace("$", "")

    lines = [
        f"{plain(e.src)} to {plain(e.dst)}: forward {e.value:.3f}, backward {e.grad:+.4f}."
        for e in edges
    ]
    return "A computational graph, each arrow with its forward value and backward gradient. " + (
        " ".join(lines)
    )
