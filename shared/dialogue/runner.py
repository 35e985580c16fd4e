"""Running a turn: the caller's answer to one step is read (keys, or one reading of everything they
said), the session changes, and the flow's table says what to ask next. Also the start of a call
(greeting and menu). Every flow and step is registered here, by name and by route.
"""

from __future__ import annotations

import logging

from shared.call_session import FlowName
from shared.dialogue.availability import AVAILABILITY
from shared.dialogue.booking import BOOKING
from shared.dialogue.engine import MAX_FAILURES, Conversation, Flow, Input, Reply, Retry, Step, ask
from shared.dialogue.filling import fill_extras
from shared.dialogue.handover import HANDOVER, NO_SLOTS, emergency, hand_over
from shared.dialogue.manage import CANCEL, RESCHEDULE
from shared.dialogue.menu import MENU, MENU_FLOW
from shared.dialogue.ports import Reading
from shared.dialogue.slots import CHOOSE_SLOT
from shared.prompts import Spoken

log = logging.getLogger(__name__)

FLOWS: dict[str, Flow] = {flow.name: flow for flow in (MENU_FLOW, BOOKING, AVAILABILITY, CANCEL, RESCHEDULE, HANDOVER)}
# Steps any flow may reach outside its own table (the no-free-slots choice).
SHARED_STEPS: tuple[Step, ...] = (NO_SLOTS, CHOOSE_SLOT)
STEPS: dict[str, Step] = {step.name: step for flow in FLOWS.values() for step in flow.steps} | {
    step.name: step for step in SHARED_STEPS}
STEP_BY_ROUTE: dict[str, Step] = {step.route: step for step in STEPS.values()}
MAX_FLOW_CHANGES = 4
# The previous release's routes: its menu redirected to a flow's entry route, and a few steps had
# per-flow copies. A call in progress during a deploy may still answer there; drop after one release.
LEGACY_ENTRIES: dict[str, FlowName] = {"/book-appointment": "book", "/cancel-appointment": "cancel",
                                  "/reschedule-appointment": "reschedule", "/check-availability": "availability"}
LEGACY_STEPS: dict[str, str] = {"/capture-new-time": "time", "/choose-new-slot": "choose_slot",
                                "/capture-availability-doctor": "doctor", "/choose-available-slot": "choose_slot",
                                "/capture-user-phone": "phone_entry"}


def greet(conversation: Conversation) -> Reply:
    """The first thing a caller hears: the clinic's greeting, then the menu."""
    clinic = conversation.clinic
    if clinic.greeting:
        conversation.spoken.append(Spoken(clinic.greeting))
    else:
        conversation.say("greeting", clinic=clinic.name)
    return ask(conversation, MENU)


def start_over(conversation: Conversation) -> Reply:
    """A call this system lost track of (its session is gone): say so and offer the menu."""
    conversation.say("lost_track")
    return ask(conversation, MENU)


def answer(conversation: Conversation, step: Step, given: Input) -> Reply:
    """Read the caller's answer to `step` and reply with what comes next."""
    session = conversation.session
    flow_before = session.flow
    if not _expected(session.flow, step):
        log.info("answer to step %s arrived while the call is in flow %s; asking what is next",
                 step.name, session.flow)
        return advance(conversation)
    if given.digits == "*":
        return ask(conversation, step)
    reading = _understand(conversation, step, given)
    if reading is not None:
        if reading.emergency:
            return emergency(conversation)
        if reading.staff and not step.reads_staff_requests:
            session.record_step(f"{step.name}:staff")
            return hand_over(conversation, "staff_requested")
        if reading.repeat and not given.digits:
            return ask(conversation, step)
    outcome = step.read(conversation, given, reading)
    if isinstance(outcome, Reply):
        return outcome
    if isinstance(outcome, Retry):
        return _retry(conversation, step, outcome)
    session.clear_failures(step.name)
    session.record_step(step.name)
    if session.flow != flow_before:
        session.record_step(session.flow)
    if reading is not None:
        fill_extras(conversation, reading)
    return advance(conversation)


def advance(conversation: Conversation) -> Reply:
    """Ask the first question the flow still needs (after its settle rules), or finish the flow."""
    session = conversation.session
    for _ in range(MAX_FLOW_CHANGES):
        flow_name = session.flow
        flow = FLOWS[flow_name]
        reply = next((reply for settle in flow.settle if (reply := settle(conversation)) is not None), None)
        if reply is not None:
            return reply
        if session.flow != flow_name:
            session.record_step(session.flow)
            continue
        row = next((row for row in flow.rows if row.needed(session)), None)
        if row is not None:
            return ask(conversation, row.step)
        reply = flow.finish(conversation)
        if reply is not None:
            return reply
        if session.flow != flow_name:
            session.record_step(session.flow)
    raise RuntimeError(f"flow {session.flow} did not settle after {MAX_FLOW_CHANGES} rounds")


def start_flow(conversation: Conversation, flow: FlowName) -> Reply:
    """Switch the call to another flow and ask its first question."""
    conversation.session.flow = flow
    conversation.session.record_step(flow)
    return advance(conversation)


def _expected(flow: str, step: Step) -> bool:
    return step in FLOWS[flow].steps or step in SHARED_STEPS


def _understand(conversation: Conversation, step: Step, given: Input) -> Reading | None:
    if not given.speech:
        return None
    return conversation.ports.understanding.read(text=given.speech, expect=step.expects, clinic=conversation.clinic,
                                                 doctors=conversation.doctors(), now=conversation.now())


def _retry(conversation: Conversation, step: Step, retry: Retry) -> Reply:
    """Ask again after an answer that did not work; the third time, hand the caller to people."""
    if conversation.session.count_failure(step.name) >= MAX_FAILURES:
        conversation.say("handover.trouble")
        return hand_over(conversation, step.handover_reason)
    if retry.key:
        # A reason was given ("That time has already passed."): then the question itself, not "Sorry, I
        # didn't catch ..."
        conversation.say(retry.key, **retry.fields)
        return ask(conversation, step)
    return ask(conversation, step, again=True)
