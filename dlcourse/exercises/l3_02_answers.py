"""Answers to L3.02's exercises: the solution of each, then plausible mistakes."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from . import computed


# q1 · an fx pass: every ReLU, however it is spelled, becomes a GELU
def relu_to_gelu(gm):
    modules = dict(gm.named_modules())
    for node in list(gm.graph.nodes):
        is_relu = (
            (node.op == "call_function" and node.target in (torch.relu, F.relu))
            or (node.op == "call_method" and node.target == "relu")
            or (node.op == "call_module" and isinstance(modules[node.target], nn.ReLU))
        )
        if is_relu:
            with gm.graph.inserting_after(node):
                gelu = gm.graph.call_function(F.gelu, (node.args[0],))
            node.replace_all_uses_with(gelu)
            gm.graph.erase_node(node)
    gm.graph.lint()
    gm.recompile()            # regenerate forward() from the edited graph
    return gm


def relu_to_gelu_modules_only(gm):
    """Replaces the nn.ReLU modules and misses F.relu, torch.relu and x.relu()."""
    for name, module in list(gm.named_modules()):
        if isinstance(module, nn.ReLU):
            parent, _, attr = name.rpartition(".")
            setattr(gm.get_submodule(parent) if parent else gm, attr, nn.GELU())
    gm.recompile()
    return gm


def relu_to_gelu_functions_only(gm):
    """Swaps the targets of torch.relu and F.relu calls; misses modules and the method call."""
    for node in gm.graph.nodes:
        if node.op == "call_function" and node.target in (torch.relu, F.relu):
            node.target, node.kwargs = F.gelu, {}
    gm.recompile()
    return gm


def relu_to_gelu_no_recompile(gm):
    """Edits the graph but never calls gm.recompile(): forward() still runs the old code."""
    modules = dict(gm.named_modules())
    for node in list(gm.graph.nodes):
        if ((node.op == "call_function" and node.target in (torch.relu, F.relu))
                or (node.op == "call_method" and node.target == "relu")
                or (node.op == "call_module" and isinstance(modules[node.target], nn.ReLU))):
            with gm.graph.inserting_after(node):
                gelu = gm.graph.call_function(F.gelu, (node.args[0],))
            node.replace_all_uses_with(gelu)
            gm.graph.erase_node(node)
    return gm


def relu_to_gelu_tanh(gm):
    """Uses GELU's tanh approximation instead of the exact GELU (x·Φ(x)) that nn.GELU computes."""
    modules = dict(gm.named_modules())
    for node in list(gm.graph.nodes):
        if ((node.op == "call_function" and node.target in (torch.relu, F.relu))
                or (node.op == "call_method" and node.target == "relu")
                or (node.op == "call_module" and isinstance(modules[node.target], nn.ReLU))):
            with gm.graph.inserting_after(node):
                gelu = gm.graph.call_function(F.gelu, (node.args[0],), {"approximate": "tanh"})
            node.replace_all_uses_with(gelu)
            gm.graph.erase_node(node)
    gm.recompile()
    return gm


# q2 · when compiling pays
@computed
def break_even_calls():
    compile_s, eager_ms, compiled_ms = 14.0, 3.0, 2.4
    return compile_s / ((eager_ms - compiled_ms) / 1000)       # seconds / seconds saved per call


@computed
def break_even_over_compiled():
    return 14.0 / (2.4 / 1000)


@computed
def break_even_in_ms():
    return 14.0 / (3.0 - 2.4)


# q3 · what is true of fx, TorchScript, export and compile
@computed
def true_statements():
    return {"b", "c", "d", "f"}


@computed
def true_statements_fx_follows_example():
    return {"a", "b", "c", "d", "f"}


@computed
def true_statements_compile_once():
    return {"b", "c", "d", "e", "f"}


@computed
def true_statements_without_recompile():
    return {"b", "c", "d"}

