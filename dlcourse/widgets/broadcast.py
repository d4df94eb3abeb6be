"""L1.01: the broadcasting explorer. Two shapes → the aligned grid, the result shape or PyTorch's
error, and which elements of A and B one element of the result reads."""
from __future__ import annotations

from math import prod
from typing import NamedTuple

import ipywidgets as widgets
from plotly.subplots import make_subplots

from .base import Explorer, figure

MAX_DIMS = 8
WINDOW = 12  # the element panel shows at most this many rows / columns of each matrix
RULES = {  # per-cell rule → (color, legend text); the order fixes the heatmap's color codes
    "equal": ("#c6dbef", "same size as the result"),
    "stretched": ("#fdae6b", "size 1, stretched"),
    "missing": ("#e0e0e0", "missing: a 1 is prepended"),
    "incompatible": ("#ef3b2c", "incompatible"),
    "result": ("#a1d99b", "result"),
}
CODE = {rule: i for i, rule in enumerate(RULES)}
COLORSCALE = [[edge / len(RULES), color] for i, (color, _) in enumerate(RULES.values())
              for edge in (i, i + 1)]
HIGHLIGHT = [[0, "#f7f7f7"], [1, "#3182bd"]]


class DimRule(NamedTuple):
    """One aligned dimension: the operands' sizes (None where missing), the result size (None if
    incompatible) and what broadcasting does to each operand there."""
    a: int | None
    b: int | None
    out: int | None
    a_rule: str
    b_rule: str


class Broadcast(NamedTuple):
    shape: tuple[int, ...] | None
    error: str | None
    rules: list[DimRule]


def parse_shape(text: str) -> tuple[int, ...]:
    """'8, 1, 6, 1' or '(8, 1, 6, 1)' → (8, 1, 6, 1); '' or '()' is a scalar's shape ()."""
    body = text.strip().strip("()[]").strip()
    if not body:
        return ()
    parts = [p.strip() for p in body.split(",")]
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # a trailing comma, as in "(3,)"
    sizes = []
    for part in parts:
        if part == "":
            raise ValueError("a size is missing between two commas")
        if not part.isdigit():
            raise ValueError(f"{part!r} is not a size: write whole numbers ≥ 0 separated by "
                             "commas, like 8, 1, 6, 1")
        sizes.append(int(part))
    if len(sizes) > MAX_DIMS:
        raise ValueError(f"{len(sizes)} dimensions: this explorer draws at most {MAX_DIMS}")
    return tuple(sizes)


def _rule(size: int | None, other: int | None) -> str:
    if size is None:
        return "missing"
    if other is None or size == other or other == 1:
        return "equal"
    return "stretched" if size == 1 else "incompatible"


def broadcast_result(a, b) -> Broadcast:
    """The broadcast of shapes a and b by PyTorch's (= NumPy's) rules, dimension by dimension from
    the right; when they are incompatible, the error torch.broadcast_shapes raises."""
    a, b = tuple(a), tuple(b)
    n = max(len(a), len(b))
    rules = []
    for k in range(-n, 0):
        sa = a[k] if -k <= len(a) else None
        sb = b[k] if -k <= len(b) else None
        ra, rb = _rule(sa, sb), _rule(sb, sa)
        if "incompatible" in (ra, rb):
            out = None
        else:  # a 1 (or a missing dimension) takes the other's size, even 0
            out = sb if sa in (None, 1) and sb is not None else sa
        rules.append(DimRule(sa, sb, out, ra, rb))
    if any(r.out is None for r in rules):
        return Broadcast(None, _torch_error(a, b), rules)
    return Broadcast(tuple(r.out for r in rules), None, rules)


def _torch_error(a: tuple, b: tuple) -> str:
    import torch  # here, not at import time: dlcourse.widgets should load fast

    try:
        torch.broadcast_shapes(a, b)
    except RuntimeError as error:
        return str(error)
    raise AssertionError(f"torch broadcasts {a} with {b}, but our rules say it cannot")


def source_index(out_index: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The element of an operand of `shape` that result element `out_index` reads: leading
    (missing) dimensions are dropped and size-1 dimensions always read index 0."""
    tail = out_index[len(out_index) - len(shape):] if shape else ()
    return tuple(0 if size == 1 else i for i, size in zip(tail, shape))


def unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    index = []
    for size in reversed(shape):
        flat, i = divmod(flat, size)
        index.append(i)
    return tuple(reversed(index))


def _fmt(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _window(size: int, i: int) -> range:
    start = min(max(i - WINDOW // 2, 0), max(size - WINDOW, 0))
    return range(start, min(start + WINDOW, size))


def _matrix(shape: tuple[int, ...], index: tuple[int, ...]) -> dict:
    """Heatmap arguments for the last two dimensions of `shape`, `index` lit up."""
    rows, cols = ((1,) * (2 - len(shape)) + shape)[-2:]
    i, j = ((0,) * (2 - len(index)) + index)[-2:]
    ys, xs = _window(rows, i), _window(cols, j)
    return dict(x=list(xs), y=list(ys), z=[[int((r, c) == (i, j)) for c in xs] for r in ys])


def _index(name: str, index: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(map(str, index)) or '()'}]"


class BroadcastExplorer(Explorer):
    """Type two shapes; see how they line up, the result shape or PyTorch's error.

    Controls: `a` and `b` (shape text, e.g. "8, 1, 6, 1") and `element` (a flat index into the
    result: the lower panel shows which elements of A and B it reads).
    """

    def __init__(self, a=(3, 1), b=(1, 4), element: int = 0):
        text = {name: s if isinstance(s, str) else ", ".join(map(str, s))
                for name, s in (("a", a), ("b", b))}
        self.controls = {
            "a": widgets.Text(value=text["a"], description="Shape A"),
            "b": widgets.Text(value=text["b"], description="Shape B"),
            "element": widgets.IntSlider(value=element, min=0, max=max(element, 1),
                                         description="Element"),
        }
        fig = make_subplots(rows=2, cols=3, specs=[[{"colspan": 3}, None, None], [{}, {}, {}]],
                            row_heights=[0.42, 0.58], vertical_spacing=0.2,
                            horizontal_spacing=0.07, subplot_titles=("", "A", "B", "result"))
        self.fig = figure(fig, title="Broadcasting", height=640, showlegend=True,
                          legend=dict(orientation="h", x=0, y=1.1, font=dict(size=12)),
                          margin=dict(l=130, r=30, t=100, b=55))
        self.fig.add_heatmap(row=1, col=1, zmin=-0.5, zmax=len(RULES) - 0.5, colorscale=COLORSCALE,
                             showscale=False, xgap=3, ygap=3, texttemplate="%{text}",
                             textfont=dict(size=15), hovertemplate="%{customdata}<extra></extra>")
        for rule, (color, label) in list(RULES.items())[:-1]:  # legend swatches for the grid
            self.fig.add_scatter(row=1, col=1, x=[None], y=[None], mode="markers", name=label,
                                 marker=dict(symbol="square", size=14, color=color))
        for col in (1, 2, 3):
            self.fig.add_heatmap(row=2, col=col, zmin=0, zmax=1, colorscale=HIGHLIGHT,
                                 showscale=False, xgap=2, ygap=2,
                                 hovertemplate="[%{y}, %{x}]<extra></extra>")
        self.fig.update_xaxes(title_text="dimension (counted from the right)", type="category",
                              row=1)
        self.fig.update_yaxes(autorange="reversed", type="category", row=1)
        self.fig.update_yaxes(autorange="reversed", tickmode="linear", dtick=1, row=2)
        self.fig.update_xaxes(title_text="last dim", tickmode="linear", dtick=1, row=2)
        self.fig.update_yaxes(title_text="second-to-last dim", row=2, col=1)
        for col in (1, 2, 3):  # square cells, so a matrix looks like one
            self.fig.update_xaxes(scaleanchor=f"y{col + 1}", constrain="domain", row=2, col=col)
            self.fig.update_yaxes(constrain="domain", row=2, col=col)
        super().__init__()

    def update(self) -> None:
        try:
            a = parse_shape(self.values["a"])
            b = parse_shape(self.values["b"])
        except ValueError as error:
            return self._show_message(f"Could not read the shapes: {error}.")
        result = broadcast_result(a, b)
        numel = prod(result.shape) if result.shape is not None else 0
        with self.quiet():
            slider = self.controls["element"]
            slider.max = max(min(numel, 2**31) - 1, 0)  # beyond 2**31 the slider stops short
            slider.disabled = numel == 0
        with self.fig.batch_update():
            self._draw_grid(a, b, result)
            if numel:
                reads = self._draw_element(a, b, result.shape, slider.value)
            else:
                reads = "An empty result: no element to read."
                self._clear_elements()
        if result.error:
            where = next(k - len(result.rules) for k, r in enumerate(result.rules) if r.out is None)
            bad = result.rules[where]
            call = f"torch.broadcast_shapes({_fmt(a)}, {_fmt(b)})"
            self.status.value = (f"<b>RuntimeError</b> from <code>{call}</code>:<br>"
                                 f"<code>{result.error}</code><br>Dimension {where}: sizes "
                                 f"{bad.a} and {bad.b} differ and neither is 1.")
        else:
            self.status.value = (f"Result shape <b>{_fmt(result.shape)}</b>, {numel:,} elements. "
                                 + reads)

    def _draw_grid(self, a, b, result: Broadcast) -> None:
        n = len(result.rules)
        cells = {"A": [], "B": [], "result": []}
        for r in result.rules:
            for name, size, rule in (("A", r.a, r.a_rule), ("B", r.b, r.b_rule)):
                text = {"missing": "(1)", "stretched": f"1→{r.out}"}.get(rule, str(size))
                cells[name].append((CODE[rule], text, f"{name}: {RULES[rule][1]}"))
            cells["result"].append((CODE["result"], str(r.out), "result size") if r.out is not None
                                   else (CODE["incompatible"], "✗", "no common size"))
        rows = [f"A {_fmt(a)}", f"B {_fmt(b)}",
                f"result {_fmt(result.shape)}" if result.shape is not None else "result ✗"]
        grid = self.fig.data[0]
        grid.update(x=[str(k) for k in range(-n, 0)], y=rows,
                    z=[[c[0] for c in row] for row in cells.values()],
                    text=[[c[1] for c in row] for row in cells.values()],
                    customdata=[[c[2] for c in row] for row in cells.values()])
        outcome = _fmt(result.shape) if result.shape is not None else "✗ error"
        self.fig.layout.title.text = f"Broadcasting A {_fmt(a)} with B {_fmt(b)} → {outcome}"

    def _draw_element(self, a, b, shape, flat: int) -> str:
        out = unravel(flat, shape)
        reads = {"A": (a, source_index(out, a)), "B": (b, source_index(out, b)),
                 "result": (shape, out)}
        for trace, (dims, index) in zip(self.fig.data[-3:], reads.values()):
            trace.update(**_matrix(dims, index))
        titles = [_index(name, index) for name, (_, index) in reads.items()]
        for annotation, title in zip(self.fig.layout.annotations, titles):
            annotation.text = f"<b>{title}</b>"
        return (f"Element {flat} is <b>{titles[2]}</b>: it reads <b>{titles[0]}</b> and "
                f"<b>{titles[1]}</b>.")

    def _clear_elements(self) -> None:
        for trace in self.fig.data[-3:]:
            trace.update(x=[], y=[], z=[])
        for annotation, title in zip(self.fig.layout.annotations, ("A", "B", "no elements")):
            annotation.text = title

    def _show_message(self, message: str) -> None:
        self.controls["element"].disabled = True
        with self.fig.batch_update():
            self.fig.data[0].update(x=[], y=[], z=[], text=[], customdata=[])
            self._clear_elements()
            self.fig.layout.title.text = "Broadcasting: type two shapes, e.g. 8, 1, 6, 1 and 7, 1"
        self.status.value = f"<span style='color:#c0392b'>{message}</span>"


GALLERY = {"BroadcastExplorer": lambda: BroadcastExplorer(a=(8, 1, 6, 1), b=(7, 1, 5))}
