"""THE case lifecycle: every state, every action, who may take it, what it needs, what it
does to the deadlines, and what each of its satellites (the complainant's view, notify, the
queues, the forms and the API schema) needs to know of it. Pages, the API, jobs and the demo
all ask this package.

    spec.py     the vocabulary: `Act` (every event name), `Action`, `Event`, `Input`, `Queue`
    table.py    THE table: `ACTIONS` and `EVENTS`, and what is read off them
    rules.py    conditions and input checks the table names
    effects.py  the writes beyond the state that the table names
    events.py   `event_record` (`event_build` + `event_save`) and `events_record_many`,
                the one writer of timeline lines
    engine.py   `allowed_actions`, `why_not`, and `perform`, the only writer of `case.state`

`python manage.py workflow_graph` draws the table.
"""

from minsheng.cases.workflow.effects import RESULT_PARTS
from minsheng.cases.workflow.engine import allowed_actions, may_take, perform, why_not
from minsheng.cases.workflow.events import (
    event_build,
    event_record,
    event_save,
    events_record_many,
)
from minsheng.cases.workflow.rules import MAX_RETURNS
from minsheng.cases.workflow.spec import (
    ALL_STATES,
    OPEN_STATES,
    RESTING_STATES,
    STEP_STATES,
    Act,
    Action,
    Event,
    Input,
    InputKind,
    Queue,
    TransitionNotAllowed,
)
from minsheng.cases.workflow.table import (
    ACTIONS,
    EVENTS,
    UNANNOUNCED,
    event_label,
    is_note_for_complainant,
    knowledge_entry_actions,
    notices_for,
    public_actions,
    public_event_label,
    queue_actions,
    queue_in_use,
    queue_roles,
    queue_states,
    spec_for,
    takes_reply_templates,
)

__all__ = [
    "ACTIONS",
    "ALL_STATES",
    "EVENTS",
    "MAX_RETURNS",
    "OPEN_STATES",
    "RESTING_STATES",
    "STEP_STATES",
    "RESULT_PARTS",
    "UNANNOUNCED",
    "Act",
    "Action",
    "Event",
    "Input",
    "InputKind",
    "Queue",
    "TransitionNotAllowed",
    "allowed_actions",
    "may_take",
    "event_label",
    "event_build",
    "event_record",
    "event_save",
    "events_record_many",
    "is_note_for_complainant",
    "knowledge_entry_actions",
    "notices_for",
    "perform",
    "public_actions",
    "public_event_label",
    "queue_actions",
    "queue_in_use",
    "queue_roles",
    "queue_states",
    "spec_for",
    "takes_reply_templates",
    "why_not",
]
