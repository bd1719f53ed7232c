"""The gateway's URL layout: DAB's URLs as a DAB consumer mounts them (dynamic_urls:
api_version_urls under /api/gateway/v1/, root_urls, which hold /o/, at the root), plus
the project's own who-am-I, users, organizations, login, ping and the API roots."""

from django.urls import include, path

from ansible_base.lib.dynamic_config.dynamic_urls import api_urls, api_version_urls, root_urls
from ansible_base.lib.routers import AssociationResourceRouter

from . import views

router = AssociationResourceRouter()
router.register(r"users", views.UserViewSet, basename="user")
router.register(r"organizations", views.OrganizationViewSet, basename="organization")

urlpatterns = [
    path("api/", views.ServicesRoot.as_view(), name="services-root"),
    path("api/gateway/", views.GatewayRoot.as_view(), name="gateway-root"),
    path("api/gateway/v1/", views.ApiRoot.as_view(), name="api-root"),
    path("api/gateway/v1/ping/", views.PingView.as_view(), name="ping"),
    path("api/gateway/v1/me/", views.MeView.as_view(), name="me"),
    path("api/gateway/v1/login/", views.LoginView.as_view(), name="login"),
    path("api/gateway/v1/logout/", views.LogoutView.as_view(), name="logout"),
    path("api/gateway/v1/", include(router.urls)),
    path("api/gateway/v1/", include(api_version_urls)),
    path("api/gateway/", include(api_urls)),
    path("", include(root_urls)),
]
