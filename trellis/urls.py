from django.urls import include, path

from trellis.accounts import views as account_views
from trellis.accounts import views_access as access_views
from trellis.api.api import api
from trellis.assignments import views as assignment_views
from trellis.frameworks import views as framework_views
from trellis.frameworks import views_crosswalk as framework_crosswalk
from trellis.frameworks import views_editing as framework_editing
from trellis.imports import views as import_views
from trellis.orgs import views as org_views
from trellis.people import views as people_views
from trellis.ratings import views as rating_views
from trellis.rosters import views as roster_views
from trellis.selection import views as selection_views
from trellis.site import views as site_views
from trellis.surveys import urls as surveys_urls

urlpatterns = [
    path("", site_views.home, name="home"),
    path("healthz", site_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/", account_views.account_settings, name="account_settings"),
    path(
        "account/tokens/<int:pk>/revoke/", account_views.api_token_revoke, name="api_token_revoke"
    ),
    path("schools/", org_views.school_list, name="school_list"),
    path("schools/new/", org_views.school_create, name="school_create"),
    path("schools/<int:pk>/", org_views.school_detail, name="school_detail"),
    path("schools/<int:pk>/edit/", org_views.school_edit, name="school_edit"),
    path("networks/", org_views.network_list, name="network_list"),
    path("networks/new/", org_views.network_create, name="network_create"),
    path("networks/<int:pk>/edit/", org_views.network_edit, name="network_edit"),
    path("partners/", org_views.partner_list, name="partner_list"),
    path("partners/new/", org_views.partner_create, name="partner_create"),
    path("partners/<int:pk>/edit/", org_views.partner_edit, name="partner_edit"),
    # Assignments (who supports whom) and caseloads.
    path("assignments/", assignment_views.assignment_list, name="assignment_list"),
    path("assignments/new/", assignment_views.assignment_create, name="assignment_create"),
    path("assignments/people/", assignment_views.assignment_people, name="assignment_people"),
    path("assignments/<int:pk>/end/", assignment_views.assignment_end, name="assignment_end"),
    path("assignments/caseloads/", assignment_views.caseloads, name="caseloads"),
    path("assignments/targets/", assignment_views.caseload_target, name="caseload_target"),
    path("people/", people_views.people_list, name="people_list"),
    path("people/new/", people_views.person_create, name="person_create"),
    path("people/<int:pk>/", people_views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people_views.person_edit, name="person_edit"),
    path("people/<int:pk>/positions/new/", people_views.position_add, name="position_add"),
    path(
        "people/<int:pk>/positions/<int:position_pk>/end/",
        people_views.position_end,
        name="position_end",
    ),
    path(
        "people/<int:pk>/positions/<int:position_pk>/end-reason/",
        people_views.position_end_reason,
        name="position_end_reason",
    ),
    path("people/<int:pk>/education/new/", people_views.education_add, name="education_add"),
    path(
        "people/<int:pk>/certifications/new/",
        people_views.certification_add,
        name="certification_add",
    ),
    path("frameworks/", framework_views.framework_list, name="framework_list"),
    # Framework files go through the import pipeline; the old address leads there.
    path("frameworks/import/", framework_views.framework_import, name="framework_import"),
    path("frameworks/<int:pk>/", framework_views.framework_detail, name="framework_detail"),
    path("frameworks/<int:pk>/case.json", framework_views.framework_case, name="framework_case"),
    path("frameworks/<int:pk>/start/", framework_editing.framework_start, name="framework_start"),
    path(
        "frameworks/<int:pk>/agreement/",
        rating_views.framework_agreement,
        name="framework_agreement",
    ),
    path(
        "frameworks/<int:pk>/crosswalk/",
        framework_crosswalk.framework_crosswalk,
        name="framework_crosswalk",
    ),
    path(
        "frameworks/<int:pk>/new-draft/",
        framework_editing.version_new_draft,
        name="version_new_draft",
    ),
    path(
        "frameworks/<int:pk>/v<int:number>/publish/",
        framework_editing.version_publish,
        name="version_publish",
    ),
    path(
        "frameworks/<int:pk>/v<int:number>/items/new/",
        framework_editing.item_edit,
        name="item_add",
    ),
    path(
        "frameworks/<int:pk>/v<int:number>/items/<int:item_pk>/edit/",
        framework_editing.item_edit,
        name="item_edit",
    ),
    path(
        "frameworks/<int:pk>/v<int:number>/items/<int:item_pk>/delete/",
        framework_editing.item_delete,
        name="item_delete",
    ),
    path(
        "people/<int:pk>/ratings/",
        rating_views.subject_ratings,
        {"kind": "person"},
        name="person_ratings",
    ),
    path(
        "people/<int:pk>/ratings/new/",
        rating_views.subject_rating_new,
        {"kind": "person"},
        name="person_rating_new",
    ),
    path(
        "schools/<int:pk>/ratings/",
        rating_views.subject_ratings,
        {"kind": "school"},
        name="school_ratings",
    ),
    path(
        "schools/<int:pk>/ratings/new/",
        rating_views.subject_rating_new,
        {"kind": "school"},
        name="school_rating_new",
    ),
    path(
        "systems/<int:pk>/ratings/",
        rating_views.subject_ratings,
        {"kind": "system"},
        name="system_ratings",
    ),
    path(
        "systems/<int:pk>/ratings/new/",
        rating_views.subject_rating_new,
        {"kind": "system"},
        name="system_rating_new",
    ),
    path("access/", access_views.grant_list, name="grant_list"),
    path("access/new/", access_views.grant_create, name="grant_create"),
    path("access/<int:pk>/end/", access_views.grant_end, name="grant_end"),
    path("audit/", site_views.audit_log, name="audit_log"),
    # The one import pipeline (trellis.imports): every kind of import file.
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_new, name="import_new"),
    path("imports/settings/", import_views.import_settings, name="import_settings"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/commit/", import_views.import_commit, name="import_commit"),
    path("imports/<int:pk>/rerun/", import_views.import_rerun, name="import_rerun"),
    path("imports/<int:pk>/discard/", import_views.import_discard, name="import_discard"),
    path("imports/role-mapping/", roster_views.role_mapping, name="role_mapping"),
    path("frameworks/new/", framework_editing.framework_new, name="framework_new"),
    path(
        "frameworks/<int:pk>/v<int:number>/levels/",
        framework_editing.levels_edit,
        name="levels_edit",
    ),
    path(
        "frameworks/<int:pk>/v<int:number>/items/<int:item_pk>/move/",
        framework_editing.item_move,
        name="item_move",
    ),
    path("ratings/<int:pk>/correct/", rating_views.rating_correct, name="rating_correct"),
    path("ratings/<int:pk>/withdraw/", rating_views.rating_withdraw, name="rating_withdraw"),
    path("rounds/", rating_views.round_list, name="round_list"),
    path("rounds/new/", rating_views.round_new, name="round_new"),
    path("rounds/<int:pk>/", rating_views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/advance/", rating_views.round_advance, name="round_advance"),
    path(
        "rounds/<int:pk>/subjects/<int:subject_pk>/rate/",
        rating_views.round_rate,
        name="round_rate",
    ),
    path(
        "rounds/<int:pk>/subjects/<int:subject_pk>/",
        rating_views.round_spread,
        name="round_spread",
    ),
    # Programs, cohorts and participant records (trellis/programs/urls.py).
    path("programs/", include("trellis.programs.urls")),
    # Daily attendance (trellis.attendance): this morning, by school, caseload and system.
    path("attendance/", include("trellis.attendance.urls")),
    # Coaching sessions, next steps and protocols (trellis/coaching/urls.py).
    path("coaching/", include("trellis.coaching.urls")),
    # Supervision and evaluation cycles (trellis/evaluations/urls.py).
    path("evaluations/", include("trellis.evaluations.urls")),
    # Professional learning: PD sessions, check-in, certificates, communities (issue 11).
    path("learning/", include("trellis.learning.urls")),
    # Surveys and assessments, and the impact report (trellis/surveys/urls.py).
    path("surveys/", include("trellis.surveys.urls")),
    path("impact/", include(surveys_urls.impact_urlpatterns)),
    # Selection into a cohort (trellis.selection).
    path("selection/", selection_views.selection_home, name="selection_home"),
    path("selection/new/", selection_views.cycle_new, name="selection_cycle_new"),
    path("selection/<int:pk>/", selection_views.cycle_detail, name="selection_cycle"),
    path("selection/<int:pk>/edit/", selection_views.cycle_edit, name="selection_cycle_edit"),
    path("selection/<int:pk>/letters/", selection_views.cycle_letters, name="selection_letters"),
    path("selection/<int:pk>/invite/", selection_views.cycle_invite, name="selection_invite"),
    path(
        "selection/<int:pk>/agreement/",
        selection_views.cycle_agreement,
        name="selection_agreement",
    ),
    path(
        "selection/<int:pk>/send-letters/",
        selection_views.cycle_send_letters,
        name="selection_send_letters",
    ),
    path("selection/<int:pk>/enrol/", selection_views.cycle_enrol, name="selection_enrol"),
    path("selection/<int:pk>/apply/", selection_views.cycle_apply, name="selection_apply"),
    path(
        "selection/applications/<int:pk>/",
        selection_views.application_detail,
        name="selection_application",
    ),
    path(
        "selection/applications/<int:pk>/files/<int:file_pk>/",
        selection_views.application_file,
        name="selection_file",
    ),
    path(
        "selection/applications/<int:pk>/withdraw/",
        selection_views.application_withdraw,
        name="selection_withdraw",
    ),
    path(
        "selection/applications/<int:pk>/recommendation/",
        selection_views.application_request_again,
        name="selection_request_again",
    ),
    path(
        "selection/applications/<int:pk>/screen/",
        selection_views.application_screen,
        name="selection_screen",
    ),
    path(
        "selection/applications/<int:pk>/interview/",
        selection_views.application_interview,
        name="selection_interview",
    ),
    path(
        "selection/applications/<int:pk>/decide/",
        selection_views.application_decide,
        name="selection_decide",
    ),
    path(
        "selection/applications/<int:pk>/interviews/<int:interview_pk>/advance/",
        selection_views.interview_advance,
        name="selection_interview_advance",
    ),
    path(
        "selection/applications/<int:pk>/interviews/<int:interview_pk>/consensus/",
        selection_views.interview_consensus,
        name="selection_consensus",
    ),
    path("recommend/<str:token>/", selection_views.recommend, name="selection_recommend"),
    path(
        "selection/invitations/<str:token>/",
        selection_views.invitation_accept,
        name="selection_invitation",
    ),
    path("api/v1/", api.urls),
]

handler400 = "trellis.core.views.error_400"
handler403 = "trellis.core.views.error_403"
handler404 = "trellis.core.views.error_404"
handler500 = "trellis.core.views.error_500"
