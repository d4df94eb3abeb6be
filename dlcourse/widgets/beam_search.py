"""L3.08: beam search on a trained date model, step by step. Type a date, pick the beam width k,
the length-normalisation exponent alpha and how many steps to show. Left: the tree of the
hypotheses beam search kept (one column per output character; a node is the character it added,
linked to the hypothesis it extends; red nodes ended with </s>; the best final hypothesis is drawn
thick). Right: the hypotheses kept at the chosen step with their total log-probabilities, and once
the search has ended, the finished ones ranked by normalised score. With k = 1 the tree is one
path: greedy decoding."""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
from plotly.subplots import make_subplots

from .. import seq2seq
from .base import Explorer, figure

MAX_LEN = 12


@lru_cache(maxsize=1)
def _demo():
    return seq2seq.demo_model()


def search(model, src_vocab, tgt_vocab, text: str, k: int, alpha: float = 1.0, max_len: int = MAX_LEN):
    """(trace, finished) of seq2seq.beam_search on one source string, as the explorer draws them."""
    state, step = seq2seq.model_step(model, src_vocab.batch([text])[0])
    trace: list = []
    finished = seq2seq.beam_search(step, state, k, max_len, alpha=alpha, trace=trace)
    return trace, finished


def _label(tgt_vocab, tokens) -> str:
    return "".join("␃" if t == seq2seq.EOS else tgt_vocab.chars[t] for t in tokens)


class BeamExplorer(Explorer):
    """Beam search's hypotheses on a date model. Controls: `text` (the written date), `k` (beam
    width), `alpha` (length normalisation), `step` (how many output characters to show)."""

    def __init__(self, model=None, src_vocab=None, tgt_vocab=None, text: str = "3 June 1998",
                 k: int = 3, alpha: float = 1.0, step: int = MAX_LEN):
        if model is None:
            model, src_vocab, tgt_vocab = _demo()
        self.model, self.src_vocab, self.tgt_vocab = model, src_vocab, tgt_vocab
        self.controls = {
            "text": widgets.Text(value=text, description="Date", continuous_update=False,
                                 layout=widgets.Layout(width="270px")),
            "k": widgets.IntSlider(value=k, min=1, max=6, description="Beam k",
                                   layout=widgets.Layout(width="220px")),
            "alpha": widgets.FloatSlider(value=alpha, min=0.0, max=1.5, step=0.1, description="alpha",
                                         layout=widgets.Layout(width="220px")),
            "step": widgets.IntSlider(value=step, min=1, max=MAX_LEN, description="Steps shown",
                                      layout=widgets.Layout(width="240px")),
        }
        self.fig = figure(make_subplots(rows=1, cols=2, column_widths=[0.58, 0.42], horizontal_spacing=0.03,
                                        specs=[[{"type": "xy"}, {"type": "table"}]]),
                          height=470, margin=dict(l=50, r=10, t=70, b=45), showlegend=False)
        self.fig.add_scatter(row=1, col=1, x=[], y=[], mode="lines", hoverinfo="skip",
                             line=dict(color="#bbbbbb", width=1))                       # 0: edges
        self.fig.add_scatter(row=1, col=1, x=[], y=[], mode="lines", hoverinfo="skip",
                             line=dict(color="#1f77b4", width=4))                       # 1: best path
        self.fig.add_scatter(row=1, col=1, x=[], y=[], mode="markers+text", text=[],
                             textfont=dict(size=13), marker=dict(size=20, color=[]),
                             hovertemplate="%{customdata}<extra></extra>")              # 2: nodes
        self.fig.add_table(row=1, col=2, header=dict(values=["hypothesis", "log p", "log p / len^α"],
                                                     align="left", fill_color="#eeeeee"),
                           cells=dict(values=[[], [], []], align="left"), columnwidth=[1.6, 1, 1.2])
        self.fig.update_xaxes(row=1, col=1, title_text="output character", dtick=1, zeroline=False)
        self.fig.update_yaxes(row=1, col=1, title_text="rank in the beam", autorange="reversed",
                              dtick=1, zeroline=False)
        self.trace, self.finished = [], []
        super().__init__()

    def state(self) -> dict:
        """What the figure shows (a test reads it): the kept hypotheses of the steps shown, the rows
        of the table, and whether the search has ended within them."""
        v = self.values
        shown = self.trace[:v["step"]]
        ended = len(shown) == len(self.trace)
        if ended:
            rows = [(self.tgt_vocab.decode(tokens), score, norm) for tokens, score, norm in self.finished]
        else:
            rows = [(_label(self.tgt_vocab, seq), score, None) for seq, score, _, _ in shown[-1]]
        return dict(shown=shown, rows=rows, ended=ended)

    def update(self) -> None:
        v = self.values
        try:
            self.trace, self.finished = search(self.model, self.src_vocab, self.tgt_vocab,
                                               v["text"], v["k"], v["alpha"])
            error = None
        except ValueError as e:
            error = str(e)
        if error is None and not self.trace:
            error = "nothing to search"
        if error is None:                                # the step slider spans this search's steps
            step = self.controls["step"]
            with self.quiet():
                at_end = step.value >= step.max
                step.max = len(self.trace)
                if at_end:
                    step.value = step.max
            v = self.values
        s = self.state() if error is None else dict(shown=[], rows=[], ended=False)
        xs, ys, labels, colours, hover, ex, ey = [], [], [], [], [], [], []
        for t, kept in enumerate(s["shown"], start=1):
            for rank, (seq, score, parent, done) in enumerate(kept):
                xs.append(t)
                ys.append(rank)
                labels.append("␃" if done else self.tgt_vocab.chars[seq[-1]])
                colours.append("#fb8072" if done else "#c6dbef")
                hover.append(f"{_label(self.tgt_vocab, seq)} · log p {score:.3f}")
                if parent is not None:
                    ex += [t - 1, t, None]
                    ey += [parent, rank, None]
        bx, by = self._best_path(s)
        with self.fig.batch_update():
            self.fig.data[0].update(x=ex, y=ey)
            self.fig.data[1].update(x=bx, y=by)
            self.fig.data[2].update(x=xs, y=ys, text=labels, marker=dict(size=20, color=colours),
                                    customdata=hover)
            self.fig.data[3].cells.values = [[r[0] for r in s["rows"]], [f"{r[1]:.3f}" for r in s["rows"]],
                                             ["" if r[2] is None else f"{r[2]:.3f}" for r in s["rows"]]]
            best = s["rows"][0][0] if s["ended"] and s["rows"] else "…"
            self.fig.layout.title.text = (f"Beam search, k = {v['k']}, α = {v['alpha']:.1f}: "
                                          f"“{v['text']}” → {best}")
        self.status.value = (f"⚠ {error}" if error else
                             f"Step {min(v['step'], len(self.trace))} of {len(self.trace)}: "
                             f"{len(s['shown'][-1]) if s['shown'] else 0} hypotheses kept. "
                             + ("The search has ended; the table ranks the finished hypotheses."
                                if s["ended"] else "Move 'Steps shown' on to see the search go on."))

    def _best_path(self, s):
        """The nodes of the best finished hypothesis, traced back through the parents."""
        if not s["ended"] or not self.finished:
            return [], []
        best = self.finished[0][0]
        for t in range(len(self.trace), 0, -1):
            for rank, (seq, _, _, done) in enumerate(self.trace[t - 1]):
                if (seq[:-1] if done else seq) == best:
                    path, node = [], (t, rank)
                    while node is not None:
                        path.append(node)
                        parent = self.trace[node[0] - 1][node[1]][2]
                        node = None if parent is None else (node[0] - 1, parent)
                    return [p[0] for p in path], [p[1] for p in path]
        return [], []


GALLERY = {"BeamExplorer": lambda: BeamExplorer(text="Wed 3 Jun 1998", k=3)}
