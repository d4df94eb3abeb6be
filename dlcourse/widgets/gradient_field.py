"""L1.02: the gradient field of a 2-D function. Contours with gradient arrows, a probe point with
its gradient, the direction of steepest descent and the tangent to its level curve, and beside it
the function and its tangent plane sliced along those two directions."""
from __future__ import annotations

from typing import Callable, NamedTuple

import ipywidgets as widgets
import numpy as np
from plotly.subplots import make_subplots

from .base import Explorer, figure

Array = np.ndarray


class Surface(NamedTuple):
    """A 2-D test function with its exact gradient."""
    label: str
    f: Callable[[Array, Array], Array]
    grad: Callable[[Array, Array], tuple[Array, Array]]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    log: bool = False  # draw contours of log10(1 + f): for functions spanning many decades
    start: tuple[float, float] = (1.0, 1.0)


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def _rosenbrock_grad(x, y):
    return -2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)


PI = float(np.pi)
SURFACES: dict[str, Surface] = {
    "bowl": Surface("bowl  x² + 3y²", lambda x, y: x ** 2 + 3 * y ** 2,
                    lambda x, y: (2 * x, 6 * y), (-2.0, 2.0), (-2.0, 2.0), start=(1.2, 0.8)),
    "saddle": Surface("saddle  x² − y²", lambda x, y: x ** 2 - y ** 2,
                      lambda x, y: (2 * x, -2 * y), (-2.0, 2.0), (-2.0, 2.0), start=(1.0, 0.5)),
    "rosenbrock": Surface("Rosenbrock  (1 − x)² + 100(y − x²)²", _rosenbrock, _rosenbrock_grad,
                          (-2.0, 2.0), (-1.0, 3.0), log=True, start=(-1.0, 1.5)),
    "sin-product": Surface("sin-product  sin x · sin y", lambda x, y: np.sin(x) * np.sin(y),
                           lambda x, y: (np.cos(x) * np.sin(y), np.sin(x) * np.cos(y)),
                           (-PI, PI), (-PI, PI), start=(0.8, 0.4)),
}


class FieldView(NamedTuple):
    """Everything the figure draws, in plot coordinates."""
    xs: Array                  # contour grid
    ys: Array
    z: Array                   # f on the grid (log10(1 + f) for `log` surfaces)
    arrows_x: list             # the arrow field as line segments, None between them
    arrows_y: list
    point: tuple[float, float]
    value: float               # f(point)
    level: float               # the contour value through the point (same scale as z)
    grad: tuple[float, float]  # ∇f(point)
    norm: float                # |∇f(point)|
    uphill: tuple[list, list]  # arrow along +∇f, drawn with a fixed length
    downhill: tuple[list, list]  # arrow along −∇f
    tangent: tuple[list, list]   # segment along the level curve (perpendicular to ∇f)
    t: Array                   # distances along the two directions, for the slices
    slice_grad: Array          # f(p + t u), u = ∇f / |∇f|
    slice_level: Array         # f(p + t v), v ⟂ u
    plane_grad: Array          # the tangent plane along u: f(p) + |∇f| t
    plane_level: Array         # the tangent plane along v: flat, f(p)


def _display(surface: Surface, values):
    return np.log10(1 + values) if surface.log else values


def arrow(x0: float, y0: float, dx: float, dy: float, head: float = 0.3) -> tuple[list, list]:
    """A line-segment arrow from (x0, y0) by (dx, dy): shaft and two head strokes, None-separated."""
    x1, y1 = x0 + dx, y0 + dy
    xs, ys = [x0, x1, None], [y0, y1, None]
    for angle in (2.6, -2.6):  # about 150° back from the shaft on either side
        c, s = np.cos(angle), np.sin(angle)
        xs += [x1, x1 + head * (c * dx - s * dy), None]
        ys += [y1, y1 + head * (s * dx + c * dy), None]
    return xs, ys


def arrow_field(surface: Surface, density: int) -> tuple[list, list]:
    """Gradient arrows on a density × density grid. Each arrow points along ∇f; its length grows
    as the square root of |∇f| (relative to the largest on the grid), so that the small
    gradients stay visible next to the large ones."""
    (x0, x1), (y0, y1) = surface.x_range, surface.y_range
    cell = min(x1 - x0, y1 - y0) / density
    gx_grid = np.linspace(x0 + cell / 2, x1 - cell / 2, density)
    gy_grid = np.linspace(y0 + cell / 2, y1 - cell / 2, density)
    X, Y = np.meshgrid(gx_grid, gy_grid)
    gx, gy = (np.broadcast_to(g, X.shape) for g in surface.grad(X, Y))
    norm = np.hypot(gx, gy)
    biggest = norm.max()
    xs, ys = [], []
    if biggest == 0:
        return xs, ys
    length = 0.9 * cell * np.sqrt(norm / biggest)
    for i, j in zip(*np.nonzero(norm > 1e-12 * biggest)):
        scale = length[i, j] / norm[i, j]
        ax, ay = arrow(X[i, j], Y[i, j], gx[i, j] * scale, gy[i, j] * scale)
        xs += ax
        ys += ay
    return xs, ys


def gradient_field(name: str, x: float, y: float, density: int = 12, grid: int = 81) -> FieldView:
    """The gradient field of SURFACES[name] and its probe at (x, y). Pure: no widgets."""
    surface = SURFACES[name]
    (x0, x1), (y0, y1) = surface.x_range, surface.y_range
    xs, ys = np.linspace(x0, x1, grid), np.linspace(y0, y1, grid)
    X, Y = np.meshgrid(xs, ys)
    z = _display(surface, surface.f(X, Y))
    value = float(surface.f(np.float64(x), np.float64(y)))
    gx, gy = (float(g) + 0.0 for g in surface.grad(np.float64(x), np.float64(y)))  # no -0
    norm = float(np.hypot(gx, gy))
    u = (gx / norm, gy / norm) if norm > 1e-12 else (1.0, 0.0)  # any direction at a flat point
    v = (-u[1], u[0])
    reach = 0.22 * min(x1 - x0, y1 - y0)  # how long the probe's arrows are drawn
    if norm > 1e-12:
        uphill = arrow(x, y, reach * u[0], reach * u[1], head=0.22)
        downhill = arrow(x, y, -reach * u[0], -reach * u[1], head=0.22)
    else:  # a critical point: no way is up or down to first order
        uphill = downhill = ([], [])
    tangent = ([x - reach * v[0], x + reach * v[0]], [y - reach * v[1], y + reach * v[1]])
    t = np.linspace(-reach, reach, 101)
    slice_grad = surface.f(x + t * u[0], y + t * u[1])
    slice_level = surface.f(x + t * v[0], y + t * v[1])
    return FieldView(xs, ys, z, *arrow_field(surface, density), (x, y), value,
                     float(_display(surface, value)), (gx, gy), norm, uphill, downhill, tangent,
                     t, slice_grad, slice_level, value + norm * t, np.full_like(t, value))


class GradientField(Explorer):
    """Contours and gradient arrows of a 2-D function, with a probe point you move.

    Controls: `x` and `y` (the probe point), `function` (bowl, saddle, Rosenbrock, sin-product)
    and `density` (arrows per axis). The right panel slices f and its tangent plane along the
    gradient (slope |∇f|) and along the level curve (slope 0).
    """

    def __init__(self, function: str = "bowl", x: float | None = None, y: float | None = None,
                 density: int = 12):
        surface = SURFACES[function]
        x = surface.start[0] if x is None else x
        y = surface.start[1] if y is None else y
        self.controls = {
            "x": widgets.FloatSlider(value=x, min=surface.x_range[0], max=surface.x_range[1],
                                     step=0.05, description="probe x", readout_format=".2f"),
            "y": widgets.FloatSlider(value=y, min=surface.y_range[0], max=surface.y_range[1],
                                     step=0.05, description="probe y", readout_format=".2f"),
            "function": widgets.Dropdown(options=[(s.label, k) for k, s in SURFACES.items()],
                                         value=function, description="f(x, y)"),
            "density": widgets.IntSlider(value=density, min=4, max=24, description="arrows",
                                         continuous_update=False),
        }
        self._surface = function
        fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.17,
                            subplot_titles=("contours of f and the gradient field",
                                            "f along the two directions through the probe"))
        self.fig = figure(fig, title="Gradient field", height=520,
                          legend=dict(orientation="h", x=0, y=-0.14),
                          margin=dict(l=60, r=30, t=80, b=90))
        self.fig.add_contour(row=1, col=1, colorscale=[[0, "#3f8fc5"], [0.5, "#b9d9ee"], [1, "#fbfdff"]],
                             ncontours=22,
                             line=dict(width=0.6, color="rgba(255,255,255,0.6)"), showscale=True,
                             colorbar=dict(x=0.465, xanchor="left", len=0.75, thickness=12),
                             hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>%{z:.3g}<extra></extra>",
                             name="f", showlegend=False)
        self.fig.add_scatter(row=1, col=1, mode="lines", name="∇f field (√|∇f| length)",
                             line=dict(color="rgba(40,40,40,0.75)", width=1.1), hoverinfo="skip")
        self.fig.add_contour(row=1, col=1, showscale=False, contours=dict(coloring="none"),
                             line=dict(color="#74c476", width=3), hoverinfo="skip",
                             name="level curve through the probe", showlegend=True)
        self.fig.add_scatter(row=1, col=1, mode="lines", name="tangent to the level curve",
                             line=dict(color="#00441b", width=3, dash="dot"), hoverinfo="skip")
        self.fig.add_scatter(row=1, col=1, mode="lines", name="−∇f: steepest descent",
                             line=dict(color="#6a3d9a", width=3.5), hoverinfo="skip")
        self.fig.add_scatter(row=1, col=1, mode="lines", name="∇f: steepest ascent",
                             line=dict(color="#d62728", width=3.5), hoverinfo="skip")
        self.fig.add_scatter(row=1, col=1, mode="markers", name="probe",
                             marker=dict(size=12, color="#ff7f0e", line=dict(width=2, color="white")),
                             hovertemplate="probe (%{x:.2f}, %{y:.2f})<extra></extra>")
        for name, color, dash in (("f along ∇f", "#d62728", "solid"),
                                  ("tangent plane along ∇f", "#d62728", "dash"),
                                  ("f along the level curve", "#2ca02c", "solid"),
                                  ("tangent plane along the level curve", "#2ca02c", "dash")):
            self.fig.add_scatter(row=1, col=2, mode="lines", name=name, showlegend=False,
                                 line=dict(color=color, width=3 if dash == "solid" else 2, dash=dash))
        self.fig.add_scatter(row=1, col=2, mode="markers", showlegend=False, hoverinfo="skip",
                             marker=dict(size=11, color="#ff7f0e", line=dict(width=2, color="white")))
        self.fig.update_xaxes(title_text="x", row=1, col=1, constrain="domain")
        self.fig.update_yaxes(title_text="y", row=1, col=1, scaleanchor="x", constrain="domain")
        self.fig.update_xaxes(title_text="t: distance from the probe", row=1, col=2, zeroline=True)
        self.fig.update_yaxes(title_text="f(probe + t · direction)", row=1, col=2)
        super().__init__()

    def update(self) -> None:
        name = self.values["function"]
        surface = SURFACES[name]
        if name != self._surface:  # a new function: new slider ranges, probe at its start
            self._surface = name
            with self.quiet():
                for key, (low, high), start in (("x", surface.x_range, surface.start[0]),
                                                ("y", surface.y_range, surface.start[1])):
                    slider = self.controls[key]
                    slider.min, slider.max = min(low, slider.min), max(high, slider.max)
                    slider.value = start
                    slider.min, slider.max = low, high
        v = self.values
        view = gradient_field(name, v["x"], v["y"], v["density"])
        data = self.fig.data
        with self.fig.batch_update():
            data[0].update(x=view.xs, y=view.ys, z=view.z,
                           colorbar=dict(title=dict(text="log₁₀(1+f)" if surface.log else "f",
                                                    side="top")))
            data[1].update(x=view.arrows_x, y=view.arrows_y)
            data[2].update(x=view.xs, y=view.ys, z=view.z,
                           contours=dict(start=view.level, end=view.level, size=1,
                                         coloring="none"))
            data[3].update(x=view.tangent[0], y=view.tangent[1])
            data[4].update(x=view.downhill[0], y=view.downhill[1])
            data[5].update(x=view.uphill[0], y=view.uphill[1])
            data[6].update(x=[view.point[0]], y=[view.point[1]])
            for trace, ys in zip(data[7:11], (view.slice_grad, view.plane_grad,
                                              view.slice_level, view.plane_level)):
                trace.update(x=view.t, y=ys)
            data[11].update(x=[0.0], y=[view.value])
            self.fig.layout.xaxis.range = surface.x_range
            self.fig.layout.yaxis.range = surface.y_range
            lo = min(view.slice_grad.min(), view.slice_level.min(), view.plane_grad.min())
            hi = max(view.slice_grad.max(), view.slice_level.max(), view.plane_grad.max())
            pad = 0.08 * (hi - lo) + 1e-9
            self.fig.layout.yaxis2.range = [lo - pad, hi + pad]
            gx, gy = view.grad
            self.fig.layout.title.text = (f"{surface.label}: at ({view.point[0]:.2f}, "
                                          f"{view.point[1]:.2f}), ∇f = ({gx:.3g}, {gy:.3g}), "
                                          f"|∇f| = {view.norm:.3g}")
        flat = (" <b>∇f = 0 here: a critical point</b> (minimum, maximum or saddle), and no "
                "direction is uphill." if view.norm < 1e-9 else "")
        self.status.value = (f"f = {view.value:.4g}. The red arrow points along ∇f, the steepest way "
                             f"up, with slope |∇f| = {view.norm:.4g}; the purple one the steepest way "
                             f"down, where gradient descent steps; the green line is tangent to the "
                             f"level curve, where f does not change to first order.{flat}")


GALLERY = {"GradientField": GradientField}
