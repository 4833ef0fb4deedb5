from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("setup/", views.setup, name="setup"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("workspaces/", views.workspaces, name="workspaces"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke", views.token_revoke, name="token_revoke"),
]

workspace_patterns = [
    path("members/", views.members, name="members"),
    path("members/invite", views.invitation_create, name="invitation_create"),
    path(
        "members/invitations/<int:invitation_id>/revoke",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("members/<int:membership_id>", views.member_update, name="member_update"),
    path("audit/", views.audit, name="audit"),
]
