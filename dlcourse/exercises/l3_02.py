"""Exercises of L3.02 · Dynamic vs static graphs (动态图与静态图).

    from dlcourse.exercises import l3_02 as ex
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()
"""
from __future__ import annotations

from .. import check
from . import Exercise
from . import l3_02_answers as answers
from .kinds import choices, number, write_function


# ---------------------------------------------------------------------------------------------
# q1 · an fx pass replacing every ReLU with GELU, run against eager GELU models
# ---------------------------------------------------------------------------------------------
def _model(key, gelu):
    """The same seeded weights with ReLU (the model to transform) or GELU (the eager reference)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    act = F.gelu if gelu else F.relu
    tact = F.gelu if gelu else torch.relu

    class Sequential(nn.Sequential):
        pass

    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(6, 6), nn.Linear(6, 6)

        def forward(self, x):
            return act(self.fc2(act(self.fc1(x))) + x)

    class Methods(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(6, 5)

        def forward(self, x):
            h = self.fc(x)
            return (F.gelu(h) if gelu else h.relu()) * tact(h - 0.5)

    class Shared(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(6, 8), nn.Linear(8, 3)
            self.act = nn.GELU() if gelu else nn.ReLU()

        def forward(self, x):
            return self.fc2(self.act(self.fc1(self.act(x))))

    class NoReLU(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(6, 4)

        def forward(self, x):
            return torch.sigmoid(self.fc(x)) - torch.tanh(x[:, :4])

    torch.manual_seed(3)
    build = {
        "seq": lambda: Sequential(nn.Linear(6, 10), nn.GELU() if gelu else nn.ReLU(), nn.Linear(10, 3)),
        "residual": Residual, "methods": Methods, "shared": Shared, "none": NoReLU,
    }[key]
    return build()


def _outputs(model, x):
    """(output, gradient of output.sum() with respect to the input)."""
    x = x.clone().requires_grad_(True)
    y = model(x)
    y.sum().backward()
    return y.detach(), x.grad


def _reference(key, x):
    return _outputs(_model(key, gelu=True), x)


def _apply(fn):
    """The learner's pass as a function of (model key, input): trace, transform, run."""
    def run(key, x):
        import torch.fx as fx
        gm = fn(fx.symbolic_trace(_model(key, gelu=False)))
        if not callable(gm):
            raise check.CheckFailed(f"relu_to_gelu should return the GraphModule, got {check.describe(gm)}")
        if isinstance(gm, fx.GraphModule) and gm.code != gm.graph.python_code(root_module="self").src:
            raise check.CheckFailed("the graph was edited but forward() still runs the old code: call "
                                    "gm.recompile() after editing gm.graph")
        return _outputs(gm, x)
    return run


def _q1_cases():
    import torch
    g = torch.Generator().manual_seed(11)
    return {
        "an nn.Sequential with an nn.ReLU module": ("seq", torch.randn(7, 6, generator=g)),
        "F.relu twice and a residual add": ("residual", torch.randn(5, 6, generator=g)),
        "x.relu() (a method call) and torch.relu": ("methods", torch.randn(6, 6, generator=g)),
        "one nn.ReLU module called twice": ("shared", torch.randn(4, 6, generator=g)),
        "a model with no ReLU (sigmoid and tanh stay)": ("none", torch.randn(4, 6, generator=g)),
    }


def _q1_diagnose(got, expected, args):
    import torch
    for wrong, why in [
        (answers.relu_to_gelu_modules_only,
         "the nn.ReLU modules changed, but F.relu, torch.relu and x.relu() are call_function and "
         "call_method nodes of the graph: walk gm.graph.nodes"),
        (answers.relu_to_gelu_functions_only,
         "torch.relu and F.relu changed, but not the nn.ReLU modules (call_module nodes) or the "
         "x.relu() method call (a call_method node with target 'relu')"),
        (answers.relu_to_gelu_tanh,
         "that is GELU's tanh approximation; use the exact F.gelu(x) (approximate='none'), as nn.GELU()"),
    ]:
        mine = _apply(wrong)(*args)
        if all(torch.allclose(torch.as_tensor(g), m, atol=1e-7) for g, m in zip(got, mine)):
            return why
    return None


_q1_check = write_function(
    "relu_to_gelu(gm)", _reference, _q1_cases, rtol=1e-6, atol=1e-6,
    parts=("output", "input gradient"), diagnose=_q1_diagnose,
    name="Q1 · ReLU → GELU pass", hint_text="", right_answer=answers.relu_to_gelu).checker


def _q1_checker(answer):
    fn = check.as_function(answer, "relu_to_gelu(gm)")
    _q1_check(_apply(fn))


q1 = Exercise(
    name="Q1 · ReLU → GELU pass", checker=_q1_checker,
    hint_text=("Walk list(gm.graph.nodes). A ReLU is a call_function node whose target is torch.relu "
               "or F.relu, a call_method node with target 'relu', or a call_module node whose module "
               "(dict(gm.named_modules())[node.target]) is an nn.ReLU. For each, insert "
               "gm.graph.call_function(F.gelu, (node.args[0],)) inside "
               "gm.graph.inserting_after(node), then node.replace_all_uses_with(new node) and "
               "gm.graph.erase_node(node). End with gm.recompile() and return gm."),
    right_answer=answers.relu_to_gelu,
    wrong_answers=[answers.relu_to_gelu_modules_only, answers.relu_to_gelu_functions_only,
                   answers.relu_to_gelu_no_recompile, answers.relu_to_gelu_tanh],
)

# ---------------------------------------------------------------------------------------------
# q2 · the break-even number of calls
# ---------------------------------------------------------------------------------------------
q2 = number(
    answers.break_even_calls, what="the number of calls", rtol=1e-3, atol=0,
    mistakes=lambda: {
        answers.break_even_over_compiled(): "that divides the compile time by the compiled call's "
                                            "time; what repays the compile is the time each call "
                                            "saves, eager minus compiled",
        answers.break_even_in_ms(): "mind the units: the compile time is in seconds and the saving "
                                    "per call in milliseconds",
    },
    name="Q2 · when compiling pays",
    hint_text=("Compiling costs C once; each call then saves (eager − compiled). After N calls the "
               "saving is N·(eager − compiled): solve N·(eager − compiled) = C, in one unit."),
    right_answer=answers.break_even_calls,
    wrong_answers=[answers.break_even_over_compiled, answers.break_even_in_ms],
)

# ---------------------------------------------------------------------------------------------
# q3 · what is true of fx, TorchScript, export and compile
# ---------------------------------------------------------------------------------------------
STATEMENTS = {
    "a": "torch.fx.symbolic_trace records an `if` on a tensor's value as whichever way an example "
         "input goes",
    "b": "torch.jit.trace runs the model on an example input and records the operations it ran, so a "
         "branch on the data is baked in",
    "c": "at a graph break torch.compile runs that part in ordinary Python and compiles the pieces "
         "before and after it",
    "d": "a program exported with a dynamic batch dimension accepts any batch size in its range, and "
         "its guards reject inputs whose other dimensions differ from the example's",
    "e": "once a model is compiled, torch.compile never compiles it again, whatever the shapes and "
         "dtypes of later inputs",
    "f": "editing gm.graph changes what a GraphModule computes only after gm.recompile()",
}

q3 = choices(
    list(STATEMENTS), answers.true_statements,
    extra="{n} of your letters are false",
    missing="{n} true statement(s) are missing",
    name="Q3 · four ways to get a graph",
    hint_text=("fx traces with proxies, not with data: a Proxy cannot be turned into a bool. jit.trace "
               "runs real data. Compiled code is guarded: an input that breaks a guard (a new shape, "
               "a new dtype) is compiled again. A GraphModule's forward is Python code generated "
               "from its graph."),
    right_answer=answers.true_statements,
    wrong_answers=[answers.true_statements_fx_follows_example, answers.true_statements_compile_once,
                   answers.true_statements_without_recompile],
)
