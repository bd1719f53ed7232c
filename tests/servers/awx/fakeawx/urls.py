from django.urls import path
from oauth2_provider import views as dot_views

from . import views

# AWX 24.6.1's layout: everything under /api/, OAuth2 under /api/o/.
handler404 = views.handle_404
urlpatterns = [
    path("api/", views.ApiRoot.as_view()),
    path("api/login/", views.LoginView.as_view(), name="login"),
    path("api/logout/", views.LogoutView.as_view(), name="logout"),
    path("api/o/authorize/", dot_views.AuthorizationView.as_view(), name="authorize"),
    path("api/o/token/", views.TokenView.as_view(), name="token"),
    path("api/o/revoke_token/", dot_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("api/v2/", views.ApiV2Root.as_view()),
    path("api/v2/ping/", views.ApiV2PingView.as_view()),
    path("api/v2/me/", views.MeList.as_view()),
    path("api/v2/users/", views.UserList.as_view()),
    path("api/v2/users/<int:pk>/", views.UserDetail.as_view()),
    path("api/v2/organizations/", views.OrganizationList.as_view()),
    path("api/v2/applications/", views.ApplicationList.as_view()),
    path("api/v2/applications/<int:pk>/", views.ApplicationDetail.as_view()),
    path("api/v2/users/<int:pk>/tokens/", views.UserTokenList.as_view()),
    path("api/v2/users/<int:pk>/personal_tokens/", views.UserPersonalTokenList.as_view()),
    path("api/v2/tokens/", views.TokenList.as_view()),
    path("api/v2/tokens/<int:pk>/", views.TokenDetail.as_view()),
]

# Resources this server has none of: always empty lists, with the OPTIONS answer of AWX
# 24.6.1 (view name, types, object_roles), which the awx CLI reads for `awx users …`.
EMPTY_LISTS = [
    ("projects", "Project List", "project", ["admin_role", "use_role", "update_role", "read_role"]),
    ("inventories", "Inventory List", "inventory",
     ["admin_role", "update_role", "adhoc_role", "use_role", "read_role"]),
    ("teams", "Team List", "team", ["admin_role", "member_role", "read_role"]),
    ("credentials", "Credential List", "credential", ["admin_role", "use_role", "read_role"]),
    ("job_templates", "Job Template List", "job_template", ["admin_role", "execute_role", "read_role"]),
    ("workflow_job_templates", "Workflow Job Template List", "workflow_job_template",
     ["admin_role", "execute_role", "read_role", "approval_role"]),
    ("instance_groups", "Instance Groups", "instance_group", ["admin_role", "use_role", "read_role"]),
]
urlpatterns += [
    path(f"api/v2/{name}/", views.EmptyList.as_view(name=title, types=[type_], object_roles=roles))
    for name, title, type_, roles in EMPTY_LISTS
]
