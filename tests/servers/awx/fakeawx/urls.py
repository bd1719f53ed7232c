from django.urls import path
from oauth2_provider import views as dot_views

from . import views

# AWX 24.6.1's layout: everything under /api/, OAuth2 under /api/o/.
urlpatterns = [
    path("api/", views.ApiRoot.as_view()),
    path("api/login/", views.LoginView.as_view(), name="login"),
    path("api/logout/", views.LogoutView.as_view(), name="logout"),
    path("api/o/authorize/", dot_views.AuthorizationView.as_view(), name="authorize"),
    path("api/o/token/", views.TokenView.as_view(), name="token"),
    path("api/o/revoke_token/", dot_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("api/v2/me/", views.MeList.as_view()),
    path("api/v2/organizations/", views.OrganizationList.as_view()),
    path("api/v2/applications/", views.ApplicationList.as_view()),
    path("api/v2/applications/<int:pk>/", views.ApplicationDetail.as_view()),
    path("api/v2/users/<int:pk>/tokens/", views.UserTokenList.as_view()),
    path("api/v2/users/<int:pk>/personal_tokens/", views.UserPersonalTokenList.as_view()),
    path("api/v2/tokens/", views.TokenList.as_view()),
    path("api/v2/tokens/<int:pk>/", views.TokenDetail.as_view()),
]
