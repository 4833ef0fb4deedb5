"""Every app's workspace rows share one base, so each of them is read through for_workspace."""

import pytest
from django.apps import apps
from django.db import models

from leanmark.accounts.models import Workspace
from leanmark.lib.models import WorkspaceOwned


def _owned_by_a_workspace() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label == "accounts":
            continue  # the identity core: memberships and invitations are the workspace's own
        field = next((f for f in model._meta.fields if f.name == "workspace"), None)
        if field is not None and field.many_to_one and field.related_model is Workspace:
            found.append(model)
    return found


def test_every_row_with_a_workspace_key_is_workspace_owned():
    owned = _owned_by_a_workspace()
    assert len(owned) >= 17
    assert [m.__name__ for m in owned if not issubclass(m, WorkspaceOwned)] == []


@pytest.mark.django_db
def test_for_workspace_keeps_to_its_workspace():
    from leanmark.board.models import Board

    ours = Workspace.objects.create(name="Ours", slug="ours")
    theirs = Workspace.objects.create(name="Theirs", slug="theirs")
    Board.objects.create(workspace=ours, name="Marketing")
    Board.objects.create(workspace=theirs, name="Sales")
    assert [b.name for b in Board.objects.for_workspace(ours)] == ["Marketing"]
