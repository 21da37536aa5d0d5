"""The audit trail's actions in words: one table, read by the audit page.

Services write stable codes (`enrollment.approve`); people read "Phê duyệt hồ sơ". A test reads
the code for every action it can write (`tests/accounts/test_audit_labels.py`), so a new action
without a label fails the suite. An action missing here still shows, as its code.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

ACTION_LABELS: dict[str, Promise] = {
    "api_token.create": pgettext_lazy("audit action", "Create an API token"),
    "api_token.revoke": pgettext_lazy("audit action", "Revoke an API token"),
    "audit.partition_detach": pgettext_lazy(
        "audit action", "Detach a month of the audit trail for archiving"
    ),
    "auth.login": pgettext_lazy("audit action", "Log in"),
    "auth.logout": pgettext_lazy("audit action", "Log out"),
    "booking.arrive": pgettext_lazy("audit action", "Booking used: the number was served"),
    "booking.cancel": pgettext_lazy("audit action", "Cancel a booking"),
    "booking.create": pgettext_lazy("audit action", "Book a time slot online"),
    "booking.move": pgettext_lazy("audit action", "Move a booking to another time slot"),
    "booking.no_show": pgettext_lazy("audit action", "Release a booking nobody came for"),
    "booking.open": pgettext_lazy("audit action", "Booking opened through its link"),
    "booking.plan": pgettext_lazy("audit action", "Set a session's online booking"),
    "campaign.create": pgettext_lazy("audit action", "Create a campaign"),
    "demo.history": pgettext_lazy("audit action", "Generate the demo history"),
    "desk.close": pgettext_lazy("audit action", "Close a desk"),
    "desk.open": pgettext_lazy("audit action", "Open a desk"),
    "enrollment.approve": pgettext_lazy("audit action", "Approve the dossier"),
    "enrollment.arrive": pgettext_lazy("audit action", "Record the card as arrived at the unit"),
    "enrollment.cancel": pgettext_lazy("audit action", "Cancel the dossier"),
    "enrollment.capture": pgettext_lazy(
        "audit action", "Capture the photo, fingerprints, irises or signature"
    ),
    "enrollment.capture_kept": pgettext_lazy(
        "audit action", "Retake below the threshold: the better capture kept"
    ),
    "enrollment.complete": pgettext_lazy("audit action", "Complete the dossier"),
    "enrollment.deadlines": pgettext_lazy("audit action", "View the deadline lists"),
    "enrollment.contact": pgettext_lazy(
        "audit action", "Change where the citizen is told about the dossier"
    ),
    "enrollment.deliver": pgettext_lazy("audit action", "Hand the card over"),
    "enrollment.open": pgettext_lazy("audit action", "Open a dossier at the desk"),
    "enrollment.produce": pgettext_lazy("audit action", "Record the card as produced"),
    "enrollment.public_lookup": pgettext_lazy("audit action", "Status looked up by the citizen"),
    "enrollment.receive": pgettext_lazy("audit action", "Receive the application at the desk"),
    "enrollment.refusal_notice": pgettext_lazy("audit action", "Print the refusal notice"),
    "enrollment.refuse_at_centre": pgettext_lazy(
        "audit action", "Dossier refused by the card centre"
    ),
    "enrollment.reject": pgettext_lazy("audit action", "Reject the dossier"),
    "enrollment.resubmit": pgettext_lazy("audit action", "Send the corrected dossier back"),
    "enrollment.return": pgettext_lazy("audit action", "Return the dossier for correction"),
    "enrollment.search": pgettext_lazy("audit action", "Search dossiers"),
    "enrollment.send": pgettext_lazy("audit action", "Send to card production"),
    "enrollment.slip": pgettext_lazy("audit action", "Print or open the appointment slip"),
    "enrollment.update": pgettext_lazy(
        "audit action", "Change the kind or group of an application"
    ),
    "enrollment.view": pgettext_lazy("audit action", "View a dossier"),
    "enrollment.view_card": pgettext_lazy("audit action", "View the card preview"),
    "group.update": pgettext_lazy("audit action", "Change a priority group"),
    "job.resume": pgettext_lazy("audit action", "Resume a stopped background job"),
    "kit.checkout": pgettext_lazy("audit action", "Check a session out to a field kit"),
    "notify.opt_out": pgettext_lazy("audit action", "Opt out of messages (by the link)"),
    "person.propose_change": pgettext_lazy("audit action", "Propose a correction of the register"),
    "person.review_change": pgettext_lazy("audit action", "Review a correction of the register"),
    "person.search": pgettext_lazy("audit action", "Look up the register"),
    "person.update": pgettext_lazy("audit action", "Person updated by a register import"),
    "person.view": pgettext_lazy("audit action", "View a person's record"),
    "production.download_batch": pgettext_lazy("audit action", "Download a production batch"),
    "production.export_batch": pgettext_lazy("audit action", "Create a production batch"),
    "production.import_result": pgettext_lazy("audit action", "Import the card centre's result"),
    "reach.build_cohort": pgettext_lazy("audit action", "Count the people a campaign must reach"),
    "reach.cohort_built": pgettext_lazy(
        "audit action", "People a campaign must reach counted (background task)"
    ),
    "register_import.create": pgettext_lazy("audit action", "Start a register import"),
    "register_import.download_rejected": pgettext_lazy(
        "audit action", "Download the rejected rows of an import"
    ),
    "register_import.fail": pgettext_lazy("audit action", "Register import failed"),
    "register_import.finish": pgettext_lazy("audit action", "Register import finished"),
    "register_import.resume": pgettext_lazy("audit action", "Resume a register import"),
    "reports.officer_report": pgettext_lazy("audit action", "View the officer report"),
    "reports.officer_report_export": pgettext_lazy("audit action", "Export the officer report"),
    "reports.write_daily_report": pgettext_lazy("audit action", "Write the daily report"),
    "roster.await": pgettext_lazy("audit action", "Hold a replacement list for confirmation"),
    "roster.discard": pgettext_lazy("audit action", "Set a list version aside"),
    "roster.discrepancies": pgettext_lazy("audit action", "Download a list's discrepancies"),
    "roster.fail": pgettext_lazy("audit action", "List could not be read"),
    "roster.install": pgettext_lazy("audit action", "Make a list version current"),
    "roster.precheck": pgettext_lazy("audit action", "Check a list against the register"),
    "roster.read": pgettext_lazy("audit action", "Read a list"),
    "roster.upload": pgettext_lazy("audit action", "Upload a list"),
    "roster.view": pgettext_lazy("audit action", "View a list of people"),
    "roster_entry.decide": pgettext_lazy("audit action", "Decide a row of a list"),
    "roster_entry.view": pgettext_lazy("audit action", "View a list row and its candidates"),
    "security.denied": pgettext_lazy("audit action", "Request refused"),
    "session.class_sheets": pgettext_lazy("audit action", "Print the class sheets of numbers"),
    "session.school_class_print": pgettext_lazy("audit action", "Print a school class's sheet"),
    "session.school_classes": pgettext_lazy("audit action", "View a school's classes"),
    "session.close": pgettext_lazy("audit action", "Close a session"),
    "session.open": pgettext_lazy("audit action", "Open a session (first desk)"),
    "session.plan": pgettext_lazy("audit action", "Plan a session"),
    "target.set": pgettext_lazy("audit action", "Set a target"),
    "team.create": pgettext_lazy("audit action", "Create a mobile team"),
    "ticket.book": pgettext_lazy("audit action", "Give a number booked online"),
    "ticket.cancel": pgettext_lazy("audit action", "Take a booked number out of the line"),
    "ticket.call": pgettext_lazy("audit action", "Call a number"),
    "ticket.close": pgettext_lazy("audit action", "Mark the numbers left as not served"),
    "ticket.finish": pgettext_lazy("audit action", "Finish a number"),
    "ticket.hand_on": pgettext_lazy("audit action", "Hand the numbers left on to a later session"),
    "ticket.hand_out": pgettext_lazy("audit action", "Hand out numbers in advance"),
    "ticket.issue": pgettext_lazy("audit action", "Give a number at the door"),
    "ticket.person": pgettext_lazy("audit action", "Link a number to a person"),
    "ticket.recall": pgettext_lazy("audit action", "Call a number again"),
    "ticket.serve": pgettext_lazy("audit action", "Serve a number"),
    "ticket.skip": pgettext_lazy("audit action", "Skip a number"),
    "ticket.slip": pgettext_lazy("audit action", "Print a queue number slip"),
    "ticket.transfer": pgettext_lazy("audit action", "Send a number to another desk"),
    "unit.create": pgettext_lazy("audit action", "Create a unit"),
    "unit.update": pgettext_lazy("audit action", "Change a unit"),
    "units.load": pgettext_lazy("audit action", "Load the administrative units"),
    "user.change_password": pgettext_lazy("audit action", "Change one's own password"),
    "user.create": pgettext_lazy("audit action", "Create a user"),
    "user.set_password": pgettext_lazy("audit action", "Set a user's password"),
    "user.update": pgettext_lazy("audit action", "Change a user"),
    "venue.create": pgettext_lazy("audit action", "Create a venue"),
    "person.create_walk_in": pgettext_lazy(
        "audit action", "Enter a walk-in with the population-data form"
    ),
    # field kits: registration, pairing, check-in
    "kit.register": pgettext_lazy("audit action", "Register a field kit"),
    "kit.pair": pgettext_lazy("audit action", "Pair a field kit with its one-time code"),
    "kit.revoke": pgettext_lazy("audit action", "Revoke a field kit"),
    "kit.checkin": pgettext_lazy("audit action", "Check a session back in from a field kit"),
    # field kits: packets of finished intakes
    "kit.packet_receipt": pgettext_lazy(
        "audit action", "Record the district's receipt of a packet"
    ),
    "kit.packet_received": pgettext_lazy("audit action", "Take in a dossier sent by a field kit"),
    "kit.packet_conflict": pgettext_lazy(
        "audit action", "Keep a field kit's packet for review (person already has a dossier)"
    ),
    # reach: the lists of people still to reach
    "reach.list_view": pgettext_lazy("audit action", "View a list of people still to reach"),
    "reach.list_xlsx": pgettext_lazy(
        "audit action", "Download a list of people still to reach (Excel)"
    ),
    "reach.list_pdf": pgettext_lazy("audit action", "Print a list of people still to reach (PDF)"),
    # reach: the coverage map's boundaries
    "boundary.upload": pgettext_lazy("audit action", "Upload communes' boundaries for the map"),
    "boundary.delete": pgettext_lazy("audit action", "Remove communes' boundaries from the map"),
    # home visits (cccd.reach): marks, rounds, outcomes, and outcomes carried back by a kit
    "homevisit.mark": pgettext_lazy("audit action", "Mark a person to be visited at home"),
    "homevisit.unmark": pgettext_lazy("audit action", "Remove a home-visit mark"),
    "homevisit.plan": pgettext_lazy("audit action", "Plan a home-visit round"),
    "homevisit.reorder": pgettext_lazy("audit action", "Reorder a home-visit round"),
    "homevisit.remove": pgettext_lazy("audit action", "Take a home out of a round"),
    "homevisit.record": pgettext_lazy("audit action", "Record how a home visit ended"),
    "homevisit.correct": pgettext_lazy("audit action", "Correct a home visit's outcome"),
    "homevisit.view": pgettext_lazy("audit action", "View a home-visit round"),
    "homevisit.print": pgettext_lazy("audit action", "Print a home-visit round"),
    "homevisit.view_people": pgettext_lazy(
        "audit action", "View the people chosen for a home-visit round"
    ),
    "kit.visit_outcome": pgettext_lazy(
        "audit action", "Take in a home visit's outcome from a field kit"
    ),
    "kit.visit_outcome_kept": pgettext_lazy(
        "audit action", "A field kit's home-visit outcome not applied: a newer one is recorded"
    ),
    "kit.visit_outcome_refused": pgettext_lazy(
        "audit action", "A field kit's home-visit outcome refused"
    ),
    # the campaign planner (cccd.planner)
    "plan.run": pgettext_lazy("audit action", "Ask the planner for sessions"),
    "plan.solved": pgettext_lazy("audit action", "The planner proposed sessions"),
    "plan.edit": pgettext_lazy("audit action", "Change a proposed session"),
    "plan.accept": pgettext_lazy("audit action", "Accept a plan: create its sessions"),
}


def action_label(action: str) -> str:
    """The action in the active language, or its code when it has no label."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
