"""SpiffWorkflow's script environment: the one door through which SpiffWorkflow evaluates anything."""
from __future__ import annotations

import json
import types
from collections import ChainMap
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.expressions import domain
from engine.expressions.errors import ExpressionError
from engine.expressions.guards import DEFAULT_FUNCTIONS
from engine.expressions.guards import Limits
from engine.expressions.interpreter import evaluate
from engine.expressions.interpreter import execute

# What production can call: the sandbox's generic builtins and the programme's own functions.
# Deploy-time checks know exactly these names (checks.py), so nothing deployed calls an unknown one.
FUNCTIONS: Mapping[str, Callable[..., Any]] = types.MappingProxyType({**DEFAULT_FUNCTIONS, **domain.FUNCTIONS})
EXPRESSION_LIMITS = Limits()
# Scripts loop over task data; conditions and timers never need more than the defaults.
SCRIPT_LIMITS = Limits(max_steps=1_000_000, max_seconds=2.0)


class SafeEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """SpiffWorkflow script environment: every expression, script and service call goes through here.

    It runs whatever was deployed: deploy is the gate for scripts (SCHEMEFLOW_ALLOW_SCRIPT_TASKS) and
    for function and service names, so here only the limits and the registered ``services`` vary.
    """

    def __init__(self, *, services: Mapping[str, Callable[[dict[str, Any]], Any]] | None = None) -> None:
        super().__init__({})
        self.services: dict[str, Callable[[dict[str, Any]], Any]] = dict(services or {})

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        names = {**external_context, **context} if external_context else context
        return evaluate(expression, names, EXPRESSION_LIMITS, FUNCTIONS)

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        # Reads see the task data first, then the external context; writes go to the task data.
        names = ChainMap(context, dict(external_context)) if external_context else context
        execute(script, names, SCRIPT_LIMITS, FUNCTIONS)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> str:
        name, params = kwargs.get("operation_name"), kwargs.get("operation_params") or {}
        service = self.services.get(name) if isinstance(name, str) else None
        if service is None:
            raise ExpressionError(f"unknown service operator {name!r}")
        return json.dumps(service({key: param["value"] for key, param in params.items()}))
