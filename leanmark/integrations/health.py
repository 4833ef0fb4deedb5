"""Health checks for load balancers and orchestrators, outside any workspace and any login.

- ``/healthz``: the process answers (liveness); touches nothing else.
- ``/readyz``: the process can serve: the database answers and has every migration this code
  needs. 503 with the reason otherwise, so a balancer stops sending traffic to a host that
  was started before ``leanmark migrate`` ran, or that lost its database.
"""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

_migrated = False  # once the plan was empty it stays empty for this code


def _pending_migrations() -> list[str]:
    global _migrated
    if _migrated:
        return []
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    _migrated = not pending
    return pending


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = _pending_migrations()
    except DatabaseError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
        return JsonResponse(
            {"status": "unavailable", "database": f"cannot be reached: {first_line}"},
            status=503,
        )
    if pending:
        return JsonResponse(
            {
                "status": "unavailable",
                "database": f"{len(pending)} migrations not applied; run `leanmark migrate`",
                "pending": pending[:20],
            },
            status=503,
        )
    return JsonResponse({"status": "ok", "database": connection.vendor})
