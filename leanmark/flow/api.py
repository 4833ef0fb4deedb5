"""API operations of this app, added to the one NinjaAPI by leanmark/api.py."""

from ninja import Router

router = Router(tags=["flow"])
