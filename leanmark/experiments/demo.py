"""This app's part of the Northwind demo; leanmark/demo/generator.py calls ``load(ctx)``."""

from leanmark.demo.context import DemoContext


def load(ctx: DemoContext) -> None:
    """Create this app's demo data in ``ctx.workspace`` (deterministic from ``ctx.seed``)."""
