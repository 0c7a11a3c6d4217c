"""Expected access per route and role: the checked-in table the route test enforces.

Roles, in column order: anonymous, member of the lead organization, member of a partner,
member of an unrelated organization, site manager of the host site, site manager of another
site, patron, admin. Letters: L sent to sign in (401 on the API), F 403, H 404, K allowed
(any answer below 500 that is not 401/403/404), P public (200 for everybody).
A route that names a project has one string per project visibility.
"""

ROLES = (
    "anonymous",
    "lead_member",
    "partner_member",
    "outsider",
    "manager",
    "other_manager",
    "patron",
    "admin",
)

ANYONE_SIGNED_IN = "LKKKKKKK"
NO_PATRON = "LKKKKKFK"
ADMIN_ONLY = "LFFFFFFK"
MANAGERS = "LFFFKKFK"
CONTRIBUTE = {"network": "LKKFKFHK", "consortium": "LKKHKHHK"}
LEAD_OR_SUPERVISE = {"network": "LKFFKFHK", "consortium": "LKFHKHHK"}
SUPERVISE = {"network": "LFFFKFHK", "consortium": "LFFHKHHK"}
VIEW_DETAILS = {"network": "LKKKKKHK", "consortium": "LKKHKHHK"}
SUMMARY_ONLY = {"network": "LKKKKKFK", "consortium": "LKKHKHHK"}
CONFIRM = {"network": "LKKFFFHF", "consortium": "LKKHFHHF"}
# participants' actions on a project's details (403 for the patron, who sees its summary)
CONTRIBUTE_DETAILS = {"network": "LKKFKFFK", "consortium": "LKKHKHHK"}
STATUS_CHANGE = {"network": "LKFFKFFK", "consortium": "LKFHKHHK"}
OWN = "LKHHHHHH"  # the lead member's own object: 404 for everyone else

TABLE = {
    "GET /": ANYONE_SIGNED_IN,
    "GET /account": ANYONE_SIGNED_IN,
    "POST /account": ANYONE_SIGNED_IN,
    "GET /login": "KKKKKKKK",
    "POST /login": "KKKKKKKK",
    "POST /logout": ANYONE_SIGNED_IN,
    # single sign-on: no provider is configured in the table's app, so every name is unknown
    "GET /login/oidc/<name>": "HHHHHHHH",
    "GET /login/oidc/<name>/callback": "HHHHHHHH",
    "GET /invite/<token>": "HHHHHHHH",
    "POST /invite/<token>": "HHHHHHHH",
    "GET /healthz": "PPPPPPPP",
    "POST /language": "KKKKKKKK",
    "POST /hints/hide": ANYONE_SIGNED_IN,
    "GET /static/<path:filename>": "PPPPPPPP",
    "GET /bootstrap/static/<path:filename>": "PPPPPPPP",
    "GET /assets/<path:filename>": "PPPPPPPP",  # generated: the icon sprite (tracker/assets.py)
    # administration
    "GET /admin/users": MANAGERS,
    "GET /admin/users/new": MANAGERS,
    "POST /admin/users/new": MANAGERS,
    "GET /admin/users/<int:user_id>": ADMIN_ONLY,
    "POST /admin/users/<int:user_id>": ADMIN_ONLY,
    "POST /admin/users/<int:user_id>/deactivate": ADMIN_ONLY,
    "POST /admin/users/<int:user_id>/reactivate": ADMIN_ONLY,
    "POST /admin/users/<int:user_id>/unlock": ADMIN_ONLY,
    "POST /admin/users/<int:user_id>/reset-link": "LFFFKHFK",
    # accounts made by single sign-on: approve or reject (the user is a partner member here)
    "POST /admin/users/<int:user_id>/approve": "LFFFKHFK",
    "POST /admin/users/<int:user_id>/reject": "LFFFKHFK",
    "GET /admin/users/import": MANAGERS,
    "POST /admin/users/import": MANAGERS,
    "GET /admin/sites": ADMIN_ONLY,
    "GET /admin/sites/new": ADMIN_ONLY,
    "POST /admin/sites/new": ADMIN_ONLY,
    "GET /admin/sites/<int:site_id>/edit": ADMIN_ONLY,
    "POST /admin/sites/<int:site_id>/edit": ADMIN_ONLY,
    "GET /admin/themes": ADMIN_ONLY,
    "POST /admin/themes": ADMIN_ONLY,
    "GET /admin/themes/<int:theme_id>/edit": ADMIN_ONLY,
    "POST /admin/themes/<int:theme_id>/edit": ADMIN_ONLY,
    "GET /admin/themes/<int:theme_id>/delete": ADMIN_ONLY,
    "POST /admin/themes/<int:theme_id>/delete": ADMIN_ONLY,
    "GET /admin/criteria": MANAGERS,
    "POST /admin/criteria/add": ADMIN_ONLY,  # no ?site= given: the network defaults
    # the criterion in the fixture is a network default: admins only
    "GET /admin/criteria/<int:criterion_id>/deactivate": ADMIN_ONLY,
    "POST /admin/criteria/<int:criterion_id>/deactivate": ADMIN_ONLY,
    "POST /admin/criteria/<int:criterion_id>/move": ADMIN_ONLY,
    "POST /admin/criteria/<int:criterion_id>/reactivate": ADMIN_ONLY,
    "POST /admin/criteria/<int:criterion_id>/rename": ADMIN_ONLY,
    # directory (the organization in the fixture is the lead organization, at the host site)
    "GET /organizations": NO_PATRON,
    "GET /organizations/new": MANAGERS,
    "POST /organizations/new": MANAGERS,
    "GET /organizations/<int:organization_id>": NO_PATRON,
    "GET /organizations/search": NO_PATRON,  # the organization pickers' search (JSON)
    "GET /organizations/<int:organization_id>/edit": "LKFFKFFK",
    "POST /organizations/<int:organization_id>/edit": "LKFFKFFK",
    "GET /sites": ANYONE_SIGNED_IN,
    "GET /sites/<slug>": ANYONE_SIGNED_IN,
    # projects
    "GET /projects": NO_PATRON,
    "GET /projects/new": NO_PATRON,
    "POST /projects/new": NO_PATRON,
    "GET /lessons": NO_PATRON,
    # patrons: the summary page of a network project (design §11), 404 for a consortium one
    "GET /projects/<int:project_id>": {"network": "LKKKKKKK", "consortium": "LKKHKHHK"},
    "GET /projects/<int:project_id>/edit": LEAD_OR_SUPERVISE,
    "POST /projects/<int:project_id>/edit": LEAD_OR_SUPERVISE,
    "POST /projects/<int:project_id>/updates": CONTRIBUTE,
    "POST /projects/<int:project_id>/milestones": CONTRIBUTE,
    "POST /projects/<int:project_id>/milestones/<int:milestone_id>/done": CONTRIBUTE,
    "POST /projects/<int:project_id>/milestones/<int:milestone_id>/reopen": CONTRIBUTE,
    # mend mistakes (design §16): the fixture's update is the lead member's, posted just now;
    # the first allowed role deletes an update or milestone, then it is gone (404) for everyone
    "GET /projects/<int:project_id>/updates/<int:update_id>/edit": {
        "network": "LKFFFFHF",
        "consortium": "LKFHFHHF",
    },
    "POST /projects/<int:project_id>/updates/<int:update_id>/edit": {
        "network": "LKFFFFHF",
        "consortium": "LKFHFHHF",
    },
    "POST /projects/<int:project_id>/updates/<int:update_id>/delete": "LKHHHHHH",
    "GET /projects/<int:project_id>/milestones/<int:milestone_id>/edit": CONTRIBUTE,
    "POST /projects/<int:project_id>/milestones/<int:milestone_id>/edit": CONTRIBUTE,
    "POST /projects/<int:project_id>/milestones/<int:milestone_id>/delete": "LKHHHHHH",
    # withdraw: the lead organization's members and admins
    "GET /projects/<int:project_id>/withdraw": {"network": "LKFFFFHK", "consortium": "LKFHFHHK"},
    "POST /projects/<int:project_id>/withdraw": {"network": "LKFFFFHK", "consortium": "LKFHFHHK"},
    "POST /projects/<int:project_id>/criteria/<int:criterion_id>/tick": CONTRIBUTE,
    "POST /projects/<int:project_id>/criteria/<int:criterion_id>/untick": CONTRIBUTE,
    # gates
    "GET /projects/<int:project_id>/gate": LEAD_OR_SUPERVISE,
    "POST /projects/<int:project_id>/gate": LEAD_OR_SUPERVISE,
    "GET /projects/<int:project_id>/status": SUPERVISE,
    "POST /projects/<int:project_id>/status": SUPERVISE,
    "POST /projects/<int:project_id>/nudge": SUPERVISE,
    "GET /reviews": MANAGERS,
    "GET /reviews/<int:review_id>": VIEW_DETAILS,
    "POST /reviews/<int:review_id>/confirm": CONFIRM,
    "POST /reviews/<int:review_id>/decide": SUPERVISE,
    "POST /conditions/<int:condition_id>/done": CONTRIBUTE,
    "POST /conditions/<int:condition_id>/reopen": CONTRIBUTE,
    # boards, dashboards, notifications
    "GET /board": ANYONE_SIGNED_IN,
    "GET /board/<stage>": ANYONE_SIGNED_IN,
    "GET /dashboard": ANYONE_SIGNED_IN,
    "GET /dashboard/report": ANYONE_SIGNED_IN,
    "GET /dashboard/report.csv": ANYONE_SIGNED_IN,
    "GET /dashboard/report.pdf": ANYONE_SIGNED_IN,
    "GET /dashboard/report/highlights/<slug>": "LFFFKFFK",  # the site's manager, admins
    "POST /dashboard/report/highlights/<slug>": "LFFFKFFK",
    "GET /dashboard/report/publish": ADMIN_ONLY,
    "POST /dashboard/report/publish": ADMIN_ONLY,
    "GET /notifications": ANYONE_SIGNED_IN,
    "POST /notifications/read-all": ANYONE_SIGNED_IN,
    # the notification in the fixture belongs to the lead member
    "POST /notifications/<int:notification_id>/read": "LKHHHHHH",
    # API (bearer tokens)
    "GET /api/v1/openapi.json": "PPPPPPPP",
    "GET /api/v1/sites": ANYONE_SIGNED_IN,
    "GET /api/v1/themes": ANYONE_SIGNED_IN,
    "GET /api/v1/organizations": NO_PATRON,
    "GET /api/v1/projects": ANYONE_SIGNED_IN,
    "GET /api/v1/metrics/pipeline": ANYONE_SIGNED_IN,
    "GET /api/v1/docs": "PPPPPPPP",
    "GET /api/v1/docs/assets/<name>": "PPPPPPPP",
    "GET /api/v1/problems/<kind>": "PPPPPPPP",  # the page of a problem type URI (public)
    "GET /api/v1/projects/<id:project_id>": {
        "network": ANYONE_SIGNED_IN,
        "consortium": "LKKHKHHK",
    },
    "GET /api/v1/organizations/<id:organization_id>": NO_PATRON,
    "POST /api/v1/organizations": MANAGERS,
    "PATCH /api/v1/organizations/<id:organization_id>": "LKFFKFFK",
    "POST /api/v1/projects": NO_PATRON,
    # patrons see the project's summary on the API, so editing it is forbidden, not hidden
    "PATCH /api/v1/projects/<id:project_id>": {"network": "LKFFKFFK", "consortium": "LKFHKHHK"},
    # a patron sees the network project's summary: its details are forbidden, not hidden
    "GET /api/v1/projects/<id:project_id>/history": SUMMARY_ONLY,
    "GET /api/v1/projects/<id:project_id>/updates": SUMMARY_ONLY,
    "POST /api/v1/projects/<id:project_id>/updates": CONTRIBUTE,
    "POST /api/v1/projects/<id:project_id>/gate-requests": LEAD_OR_SUPERVISE,
    "GET /api/v1/gate-requests": NO_PATRON,  # gate requests are details
    "GET /api/v1/gate-requests/<id:review_id>": VIEW_DETAILS,
    "POST /api/v1/gate-requests/<id:review_id>/confirmations": CONFIRM,
    "POST /api/v1/gate-requests/<id:review_id>/decision": SUPERVISE,
    # the page actions in the API (design §13); a patron sees a network project's summary
    # only, so its details answer 403 (as for history and updates)
    "GET /api/v1/me": ANYONE_SIGNED_IN,
    "GET /api/v1/lessons": NO_PATRON,
    "GET /api/v1/projects/<id:project_id>/criteria": SUMMARY_ONLY,
    "POST /api/v1/projects/<id:project_id>/criteria/<id:criterion_id>/tick": CONTRIBUTE_DETAILS,
    "POST /api/v1/projects/<id:project_id>/criteria/<id:criterion_id>/untick": CONTRIBUTE_DETAILS,
    "GET /api/v1/projects/<id:project_id>/milestones": SUMMARY_ONLY,
    "POST /api/v1/projects/<id:project_id>/milestones": CONTRIBUTE_DETAILS,
    "GET /api/v1/milestones/<id:milestone_id>": SUMMARY_ONLY,
    "PATCH /api/v1/milestones/<id:milestone_id>": CONTRIBUTE_DETAILS,
    # the first allowed role deletes it; after that it is gone (404) for everyone
    "DELETE /api/v1/milestones/<id:milestone_id>": "LKHHHHHH",
    "GET /api/v1/gate-requests/<id:review_id>/conditions": SUMMARY_ONLY,
    "POST /api/v1/conditions/<id:condition_id>/done": CONTRIBUTE_DETAILS,
    "POST /api/v1/conditions/<id:condition_id>/reopen": CONTRIBUTE_DETAILS,
    # hold/stop/reactivate/send back: site managers, admins; withdraw: the lead organization
    "POST /api/v1/projects/<id:project_id>/status": STATUS_CHANGE,
    # the update in the fixture was posted by the lead member just now: only its author
    "PATCH /api/v1/updates/<id:update_id>": {"network": "LKFFFFFF", "consortium": "LKFHFHHF"},
    "DELETE /api/v1/updates/<id:update_id>": "LKHHHHHH",
    # webhooks: one's own (the fixture's webhook belongs to the lead member); never patrons
    "GET /api/v1/webhooks": NO_PATRON,
    "POST /api/v1/webhooks": NO_PATRON,
    "DELETE /api/v1/webhooks/<id:webhook_id>": OWN,
    "GET /api/v1/webhooks/<id:webhook_id>/deliveries": OWN,
    "POST /api/v1/webhooks/<id:webhook_id>/deliveries/<id:webhook_delivery_id>/redeliver": OWN,
    "POST /api/v1/organizations/import": MANAGERS,
    # /account/webhooks: one's own webhooks (the fixture's is the lead member's); not patrons
    "GET /account/webhooks": NO_PATRON,
    "POST /account/webhooks": NO_PATRON,
    "GET /account/webhooks/<int:webhook_id>": "LKHHHHFH",
    "POST /account/webhooks/<int:webhook_id>/delete": "LKHHHHFH",
    "POST /account/webhooks/<int:webhook_id>/deliveries/<int:webhook_delivery_id>/redeliver": (
        "LKHHHHFH"
    ),
    "GET /api/v1/notifications": ANYONE_SIGNED_IN,
    # a patron sees the network project's summary only: 403 there, as for its other details
    "POST /api/v1/projects/<id:project_id>/nudge": {
        "network": "LFFFKFFK",
        "consortium": "LFFHKHHK",
    },
    # the notification in the fixture belongs to the lead member
    "POST /api/v1/notifications/<id:notification_id>/read": "LKHHHHHH",
    # tokens, two-factor sign-in, security log, CSV
    "POST /account/tokens": ANYONE_SIGNED_IN,
    # the token in the fixture belongs to the lead member; nobody else may even see it
    "POST /account/tokens/<int:token_id>/revoke": "LKHHHHHH",
    "GET /admin/tokens": ADMIN_ONLY,
    "POST /admin/tokens/<int:token_id>/revoke": ADMIN_ONLY,
    "GET /admin/security": ADMIN_ONLY,
    # e-mail settings and the calendar feed (issue 15); one-click unsubscribe and the feed
    # answer to their secret token alone (a wrong one: 404 for everybody)
    "GET /account/notifications": ANYONE_SIGNED_IN,
    "POST /account/notifications": ANYONE_SIGNED_IN,
    "POST /account/notifications/calendar": ANYONE_SIGNED_IN,
    "POST /account/notifications/calendar/revoke": ANYONE_SIGNED_IN,
    "GET /calendar/<token>.ics": "HHHHHHHH",
    "GET /unsubscribe/<token>": "HHHHHHHH",
    "POST /unsubscribe/<token>": "HHHHHHHH",
    "GET /admin/deliveries": ADMIN_ONLY,
    "POST /admin/deliveries/<int:delivery_id>/retry": ADMIN_ONLY,
    "POST /admin/users/<int:user_id>/two-factor/reset": ADMIN_ONLY,
    "GET /account/two-factor/setup": ANYONE_SIGNED_IN,
    "POST /account/two-factor/setup": ANYONE_SIGNED_IN,
    "GET /account/two-factor/disable": ANYONE_SIGNED_IN,
    "POST /account/two-factor/disable": ANYONE_SIGNED_IN,
    "GET /account/two-factor/recovery-codes": ANYONE_SIGNED_IN,
    "POST /account/two-factor/recovery-codes": ANYONE_SIGNED_IN,
    # without a password step pending, the code page sends everyone back to sign in or home
    "GET /login/two-factor": "KKKKKKKK",
    "POST /login/two-factor": "KKKKKKKK",
    "GET /projects/export.csv": NO_PATRON,
    "GET /organizations/export.csv": NO_PATRON,
    "GET /organizations/import": MANAGERS,
    "POST /organizations/import": MANAGERS,
    # matchmaking (design §14): the request is on the fixture project; the interest is the
    # outsider's organization's, so the outsider may see it (403 on deciding), partners not
    "GET /partner-requests": NO_PATRON,
    "GET /partner-requests/<int:request_id>": "LKKKKKHK",
    "POST /partner-requests/<int:request_id>/interest": "LKKKKKHK",
    "POST /partner-requests/<int:request_id>/close": "LKFFKFHK",
    "POST /interests/<int:interest_id>/accept": "LKHFKHHK",
    "POST /interests/<int:interest_id>/decline": "LKHFKHHK",
    "GET /projects/<int:project_id>/partner-requests/new": LEAD_OR_SUPERVISE,
    "POST /projects/<int:project_id>/partner-requests/new": LEAD_OR_SUPERVISE,
    "GET /projects/<int:project_id>/suggestions": VIEW_DETAILS,
    "GET /api/v1/partner-requests": NO_PATRON,
    "POST /api/v1/projects/<id:project_id>/partner-requests": LEAD_OR_SUPERVISE,
    "POST /api/v1/partner-requests/<id:request_id>/interest": NO_PATRON,
    "POST /api/v1/interests/<id:interest_id>/accept": "LKHFKHHK",
    "POST /api/v1/interests/<id:interest_id>/decline": "LKHFKHHK",
    "GET /api/v1/projects/<id:project_id>/suggestions": VIEW_DETAILS,
    "GET /network": ANYONE_SIGNED_IN,
    "GET /organizations/<int:organization_id>/profile": "LKFFKFFK",
    "POST /organizations/<int:organization_id>/profile": "LKFFKFFK",
    "GET /api/v1/network": ANYONE_SIGNED_IN,
}
