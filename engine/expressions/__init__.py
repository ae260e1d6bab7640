"""Owns every evaluation of BPMN/DMN expressions and scripts: an allow-listed AST interpreter with limits.

The security boundary, in parts: ``rules`` (what may be written), ``guards`` (limits and the safe
builtins), ``interpreter`` (running it), ``checks`` (refusing at deploy) and ``environment``
(SpiffWorkflow's door into all of it); ``domain`` holds the programme's own functions.
"""
from engine.expressions.checks import check
from engine.expressions.environment import FUNCTIONS
from engine.expressions.environment import SafeEnvironment
from engine.expressions.errors import ExpressionError
from engine.expressions.errors import LimitExceeded
from engine.expressions.guards import DEFAULT_FUNCTIONS
from engine.expressions.guards import Limits
from engine.expressions.interpreter import evaluate
from engine.expressions.interpreter import execute

__all__ = ["DEFAULT_FUNCTIONS", "FUNCTIONS", "ExpressionError", "LimitExceeded", "Limits", "SafeEnvironment", "check",
           "evaluate", "execute"]
