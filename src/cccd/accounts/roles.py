"""What each role may do, as Django permissions on groups named after the roles.

Every permission a view, an API route or a service checks is a constant here, so the whole matrix
reads in one place and `tests/accounts/test_role_routes.py` can hold every route to it.

What the liaison (a school's or commune's contact) may do is deliberately narrow: send their own
venue's class lists and read back the pre-check, the discrepancy file and each class's numbers and
what to bring (`UPLOAD`, limited to their venues by `cccd.rosters.services` and
`cccd.tickets.school`). They see their venues' sessions, not the unit's; no register,
queue, desk, ticket, dossier, slip, unit or campaign page.
"""

from cccd.accounts.models import Role

AUDIT = "accounts.view_audit_trail"
USERS = "accounts.manage_users"
UNITS = "units.view_unit"  # the unit tree and its staff: no applicant's data
MANAGE_UNITS = "units.manage_units"
LOOK_UP = "registry.look_up_person"
IMPORT = "registry.import_register"
CAMPAIGN_DATA = "campaigns.view_campaign"  # campaigns, targets, venues, teams, priority groups
PLAN = "campaigns.plan_sessions"
CAMPAIGNS = "campaigns.manage_campaigns"
GROUPS = "campaigns.change_prioritygroup"
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
KITS = "kits.manage_kits"  # register, revoke, see the kits and their packets
COVERAGE = "reach.view_coverage"  # coverage figures: counts, no person
REACH_LISTS = "reach.export_reach_list"  # the people still to reach: personal data
MARK_HOME_VISIT = "reach.mark_home_visit"
BOUNDARIES = "reach.upload_boundaries"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.OFFICER: {
        UNITS,
        CAMPAIGN_DATA,
        LOOK_UP,
        UPLOAD,
        REVIEW,
        DESK,
        INTAKE,
        DOSSIERS,
        DELIVER,
        DASHBOARD,
        COVERAGE,
        REACH_LISTS,
        MARK_HOME_VISIT,
    },
    Role.TEAM_LEADER: {
        UNITS,
        CAMPAIGN_DATA,
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
        COVERAGE,
        REACH_LISTS,
        MARK_HOME_VISIT,
    },
    Role.COMMANDER: {
        AUDIT,
        UNITS,
        CAMPAIGN_DATA,
        LOOK_UP,
        PLAN,
        CAMPAIGNS,
        UPLOAD,
        REVIEW,
        DOSSIERS,
        APPROVE,
        DASHBOARD,
        KITS,
        COVERAGE,
        REACH_LISTS,
        MARK_HOME_VISIT,
    },
    Role.BACK_OFFICE: {
        UNITS,
        CAMPAIGN_DATA,
        LOOK_UP,
        REVIEW,
        DOSSIERS,
        COMPLETE,
        PRODUCE,
        DELIVER,
        DASHBOARD,
        COVERAGE,
    },
    Role.LIAISON: {UPLOAD},
    Role.ADMINISTRATOR: {
        AUDIT,
        USERS,
        UNITS,
        MANAGE_UNITS,
        LOOK_UP,
        IMPORT,
        CAMPAIGN_DATA,
        CAMPAIGNS,
        GROUPS,
        DASHBOARD,
        KITS,
        COVERAGE,
        BOUNDARIES,
    },
}


def sync_role_groups() -> None:
    """Create the role groups and give each exactly its permissions (idempotent).

    Permissions not created yet (an app migrated later in the same run) are picked up by the
    next call; `migrate` calls this after every app.
    """
    from django.contrib.auth.models import Group, Permission

    named = set().union(*ROLE_PERMISSIONS.values())
    known = {  # one query for every permission a role names (migrate calls this once per app)
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={dotted.split(".")[1] for dotted in named}
        )
    }
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([known[d] for d in sorted(codenames) if d in known])
