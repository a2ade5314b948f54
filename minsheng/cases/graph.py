"""The case lifecycle as a diagram, read off the workflow table (`workflow.ACTIONS`), so the
drawing in the docs is never drawn by hand: Mermaid (`stateDiagram-v2`) or Graphviz DOT.
`manage.py workflow_graph` prints it.

Every (source, target) of every action is an arrow labelled with the action's name. The
actions that keep the state (notes, links, progress reports ...) would be a loop on nearly
every state, so they are gathered instead: one note per group of actions that keep the same
states.
"""

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from minsheng.cases.models import Case, State
from minsheng.cases.workflow import ACTIONS

NOTE_WIDTH = 60  # characters per line of a note: keeps the notes beside the states narrow


@dataclass(frozen=True)
class Move:
    """An arrow: `action` takes a case from `source` to `target`."""

    source: State
    target: State
    action: str


@dataclass(frozen=True)
class Keeping:
    """Actions that leave the case in the state it is in, in each of `states`."""

    actions: tuple[str, ...]
    states: tuple[State, ...]


@dataclass(frozen=True)
class Lifecycle:
    """What the diagram shows: the states, the moves between them, where a case starts (the
    state a new case gets) and ends (states no action leads away from), and the
    state-keeping actions."""

    states: tuple[State, ...]
    moves: tuple[Move, ...]
    keeping: tuple[Keeping, ...]
    starts: tuple[State, ...]
    ends: tuple[State, ...]


def lifecycle() -> Lifecycle:
    """Read the lifecycle off the workflow table, in the order of `State` and `ACTIONS`.

    1. For each action and each of its source states, every state it can lead to is a
       move, or, when it is the source itself, a state the action keeps.
    2. Actions that keep exactly the same states are grouped.
    3. A new case's state is the start; states no move leaves are ends.
    """
    states = tuple(State)
    moves: list[Move] = []
    kept: dict[str, tuple[State, ...]] = {}
    for name, action in ACTIONS.items():
        keeps: list[State] = []
        for source in states:
            if source not in action.sources:
                continue
            for target in sorted(action.targets_from(source), key=states.index):
                if target == source:
                    keeps.append(source)
                else:
                    moves.append(Move(source=source, target=target, action=str(name)))
        if keeps:
            kept[str(name)] = tuple(keeps)
    groups: dict[tuple[State, ...], list[str]] = {}
    for kept_by, where in sorted(kept.items(), key=lambda item: states.index(item[1][0])):
        groups.setdefault(where, []).append(kept_by)
    left = {move.source for move in moves}
    return Lifecycle(
        states=states,
        moves=tuple(moves),
        keeping=tuple(
            Keeping(actions=tuple(names), states=where) for where, names in groups.items()
        ),
        starts=(State(Case._meta.get_field("state").default),),
        ends=tuple(state for state in states if state not in left),
    )


def mermaid(graph: Lifecycle, *, keeping: bool = True) -> str:
    """Mermaid `stateDiagram-v2` text; `keeping=False` leaves out the state-keeping notes."""
    lines = ["stateDiagram-v2"]
    lines += [f"    {state.value}" for state in graph.states]
    lines += [f"    [*] --> {state.value}" for state in graph.starts]
    lines += [f"    {m.source.value} --> {m.target.value}: {m.action}" for m in graph.moves]
    lines += [f"    {state.value} --> [*]" for state in graph.ends]
    if keeping:
        for group in graph.keeping:
            lines.append(f"    note right of {group.states[0].value}")
            lines += [f"        {line}" for line in _note(group, graph.states)]
            lines.append("    end note")
    return "\n".join(lines) + "\n"


def dot(graph: Lifecycle, *, keeping: bool = True) -> str:
    """Graphviz DOT text; `keeping=False` leaves out the state-keeping notes."""
    lines = ["digraph lifecycle {", "    rankdir=TB;", "    node [shape=box, style=rounded];"]
    lines += [f"    {state.value};" for state in graph.states]
    lines += [
        "    start [shape=point, width=0.15];",
        '    end [shape=doublecircle, label="", width=0.1];',
    ]
    lines += [f"    start -> {state.value};" for state in graph.starts]
    lines += [
        f'    {m.source.value} -> {m.target.value} [label="{m.action}"];' for m in graph.moves
    ]
    lines += [f"    {state.value} -> end;" for state in graph.ends]
    if keeping:
        for number, group in enumerate(graph.keeping, start=1):
            text = "\\n".join(_note(group, graph.states))
            lines.append(f'    note{number} [shape=note, style="", label="{text}"];')
            lines.append(
                f"    note{number} -> {group.states[0].value} [style=dotted, arrowhead=none];"
            )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _note(group: Keeping, states: tuple[State, ...]) -> list[str]:
    """The lines of a note: the states kept, then the actions that keep them."""
    text = f"Actions that keep {_where(group.states, states)}: {', '.join(group.actions)}"
    return textwrap.wrap(text, NOTE_WIDTH, break_on_hyphens=False)


def _where(where: tuple[State, ...], states: Iterable[State]) -> str:
    """'in_progress', 'every state but archived', or 'submitted, accepted'."""
    others = [state.value for state in states if state not in where]
    if len(others) < len(where) and len(where) > 1:
        return f"every state but {', '.join(others)}" if others else "every state"
    return ", ".join(state.value for state in where)
