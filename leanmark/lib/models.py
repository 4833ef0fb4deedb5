"""What every workspace-owned row has in common: its workspace, and a query set that keeps to it.

Rows of every app belong to one workspace; deleting the workspace deletes them. Reading them for a
request always starts from ``Model.objects.for_workspace(workspace)``, so that another workspace's
rows cannot be reached by accident (docs/product.md §13: another workspace's objects answer 404).
The foreign key has no reverse accessor (``related_name="+"``): the workspace does not know every
app's rows, and each app reads its own through its queries module.
"""

from typing import TYPE_CHECKING, Generic, TypeVar

from django.db import models

if TYPE_CHECKING:
    from leanmark.accounts.models import Workspace

_Row = TypeVar("_Row", bound=models.Model)


class WorkspaceQuerySet(models.QuerySet[_Row], Generic[_Row]):
    def for_workspace(self, workspace: "Workspace") -> "WorkspaceQuerySet[_Row]":
        return self.filter(workspace=workspace)


class WorkspaceOwned(models.Model):
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        abstract = True
