"""`manage.py workflow_graph` draws the lifecycle from the workflow table: every state, every
move of every action, and the actions that keep the state."""

from io import StringIO

from django.core.management import call_command

from minsheng.cases.models import State
from minsheng.cases.workflow import ACTIONS


def graph(*options: str) -> str:
    out = StringIO()
    call_command("workflow_graph", *options, stdout=out)
    return out.getvalue()


def test_the_mermaid_diagram_shows_every_state_and_every_action_of_the_table():
    text = graph()
    lines = [line.strip() for line in text.splitlines()]

    assert lines[0] == "stateDiagram-v2"
    assert "submitted --> accepted: accept" in lines
    assert "[*] --> submitted" in lines
    assert "archived --> [*]" in lines
    for state in State:
        assert state.value in lines, state
    for name, action in ACTIONS.items():
        for source in action.sources:
            for target in action.targets_from(source):
                if target != source:
                    assert f"{source.value} --> {target.value}: {name}" in lines
        assert str(name) in text.replace(",", " ").split(), name


def test_the_state_keeping_actions_are_gathered_in_notes_or_left_out():
    keeping = {
        str(name)
        for name, action in ACTIONS.items()
        if any(source in action.targets_from(source) for source in action.sources)
    }
    assert "note" in keeping

    notes = graph().split("note right of", 1)[1]
    words = set(notes.replace(",", " ").replace(":", " ").split())
    assert keeping <= words

    moves_only = graph("--transitions-only")
    assert "note right of" not in moves_only
    assert "submitted --> accepted: accept" in moves_only


def test_the_dot_format_draws_the_same_moves_for_graphviz():
    text = graph("--format", "dot")

    assert text.startswith("digraph lifecycle {")
    assert '    submitted -> accepted [label="accept"];' in text.splitlines()
    assert "Actions that keep in_progress: plan" in text
