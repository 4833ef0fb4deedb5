from django.urls import include, path

from leanmark.accounts.urls import workspace_patterns
from leanmark.api import api

urlpatterns = [
    path("", include("leanmark.accounts.urls")),
    path("w/<slug:ws>/", include(workspace_patterns)),
    path("w/<slug:ws>/", include("leanmark.board.urls")),
    path("api/v1/", api.urls),
]
