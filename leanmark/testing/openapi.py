"""Print the OpenAPI document: `python -m leanmark.testing.openapi > docs/openapi.json`."""

import json
import os

import leanmark.testing.env  # noqa: F401 (a secret key for DEBUG-off settings)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leanmark.settings")

import django

django.setup()

from leanmark.api import api  # noqa: E402

print(json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True))
