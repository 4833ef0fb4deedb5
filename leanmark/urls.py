from django.urls import include, path

from leanmark.accounts.urls import workspace_patterns
from leanmark.api import api

# Each capability's app mounts its pages under /w/<ws>/ (workspace-scoped, role-checked).
APPS = (
    "board",
    "backlog",
    "flow",
    "experiments",
    "standups",
    "valuestream",
    "improvement",
    "dashboard",
    "roi",
    "integrations",
    "channeldata",
)

urlpatterns = [
    path("", include("leanmark.accounts.urls")),
    path("", include("leanmark.integrations.root_urls")),  # health checks, not per workspace
    path("w/<slug:ws>/", include(workspace_patterns)),
    *(path("w/<slug:ws>/", include(f"leanmark.{app}.urls")) for app in APPS),
    path("api/v1/", api.urls),
]

handler500 = "leanmark.lib.outage.server_error"  # database faults answer 503/507 (lib/outage.py)
handler403 = "leanmark.lib.errorpages.forbidden"  # names the role needed (lib/errorpages.py)
