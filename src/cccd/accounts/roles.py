"""What each role may do, as Django permissions on groups named after the roles.

Later apps add their permissions here, so the whole matrix reads in one place.
"""

from cccd.accounts.models import Role

LOOK_UP = "registry.look_up_person"
PLAN = "campaigns.plan_sessions"
CAMPAIGNS = "campaigns.manage_campaigns"
UPLOAD = "rosters.upload_roster"
REVIEW = "rosters.review_roster"
ISSUE = "tickets.issue_ticket"
DESK = "tickets.operate_desk"
INTAKE = "enrollments.take_intake"
DOSSIERS = "enrollments.view_dossier"
COMPLETE = "enrollments.complete_dossier"
APPROVE = "enrollments.approve_dossier"
PRODUCE = "enrollments.send_production"
DELIVER = "enrollments.deliver_card"
DASHBOARD = "reports.view_dashboard"
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.OFFICER: {LOOK_UP, UPLOAD, REVIEW, DESK, INTAKE, DOSSIERS, DELIVER, DASHBOARD},
    Role.TEAM_LEADER: {
        LOOK_UP,
        PLAN,
        UPLOAD,
        REVIEW,
        ISSUE,
        DESK,
        INTAKE,
        DOSSIERS,
        DELIVER,
        DASHBOARD,
    },  # fmt: skip
    Role.COMMANDER: {
        "accounts.view_audit_trail",
        LOOK_UP,
        PLAN,
        CAMPAIGNS,
        UPLOAD,
        REVIEW,
        DOSSIERS,
        APPROVE,
        DASHBOARD,
    },
    Role.BACK_OFFICE: {LOOK_UP, REVIEW, DOSSIERS, COMPLETE, PRODUCE, DELIVER, DASHBOARD},
    Role.LIAISON: {UPLOAD},
    Role.ADMINISTRATOR: {
        "accounts.view_audit_trail",
        "accounts.manage_users",
        "units.manage_units",
        LOOK_UP,
        "registry.import_register",
        CAMPAIGNS,
        "campaigns.change_prioritygroup",
        DASHBOARD,
    },
}


def sync_role_groups() -> None:
    """Create the role groups and give each exactly its permissions (idempotent).

    Permissions not created yet (an app migrated later in the same run) are picked up by the
    next call; `migrate` calls this after every app.
    """
    from django.contrib.auth.models import Group, Permission

    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in sorted(codenames):
            app_label, codename = dotted.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
