"""SpiffWorkflow's BPMN parser without recursion on the length of a chain.

SpiffWorkflow builds a process by parsing its start event, which parses the task after it, which
parses the task after that, and so on: about two Python frames a step, so a valid straight chain of
~480 steps ran into Python's recursion limit. A task already parsed is looked up instead of parsed
again, so parsing the tasks from the end of each path back to its start (depth-first post-order,
found iteratively) leaves every task only one step to look ahead: straight chains and branches of
any length parse at a constant depth.

A loop is the one case left: the first task of a loop parsed has its successor still unparsed, so
SpiffWorkflow walks the loop once recursively. A loop of more than about MAX_LOOP steps is refused
with a message naming the limit (bpmn.parse_bundle), never a crash.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.process import SpiffProcessParser

# SpiffWorkflow spends about two frames per step of a loop; the rest of the default limit (1000) is
# headroom for the frames below and above it.
MAX_LOOP = 400
_START, _BOUNDARY = full_tag("startEvent"), full_tag("boundaryEvent")


class ChainProcessParser(SpiffProcessParser):  # type: ignore[misc]
    def add_tasks(self) -> None:
        for node in self._from_the_end():
            self.parse_node(node)
        super().add_tasks()  # the start events, whose successors are now all parsed

    def _successors(self, bpmn_id: str) -> Iterator[Any]:
        flows = list(self.get_outgoing_sequence_flows(bpmn_id))
        for event in self.get_boundary_events(bpmn_id):  # parsed with the task they are attached to
            flows += self.get_outgoing_sequence_flows(event.get("id"))
        for flow in flows:
            node = self.get_node_by_id(flow.get("targetRef"))
            if node is not None and node.tag in self.parser.PARSER_CLASSES:
                yield node

    def _from_the_end(self) -> list[Any]:
        """The flow nodes reachable from the start events, each after every node it leads to
        (but around a loop), start events and boundary events left out."""
        order: list[Any] = []
        seen: set[str] = set()
        for start in self.xpath("./bpmn:startEvent"):
            stack = [(start, self._successors(start.get("id")))]
            seen.add(start.get("id"))
            while stack:
                node, successors = stack[-1]
                following = next((n for n in successors if n.get("id") not in seen), None)
                if following is None:
                    stack.pop()
                    if node.tag not in (_START, _BOUNDARY):
                        order.append(node)
                    continue
                seen.add(following.get("id"))
                stack.append((following, self._successors(following.get("id"))))
        return order


class ChainBpmnParser(SpiffBpmnParser):  # type: ignore[misc]
    PROCESS_PARSER_CLASS = ChainProcessParser


LOOP_TOO_LONG = (f"a loop in this process is too long for the BPMN reader (more than about {MAX_LOOP} steps before "
                 "it returns): shorten the loop, e.g. by moving part of it into a called process (call activity)")


def too_deep(exc: BaseException) -> bool:
    """Whether SpiffWorkflow gave up on ``exc`` because Python's recursion limit was reached."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, RecursionError) or "RecursionError" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
