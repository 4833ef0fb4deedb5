"""Metrics, measurements, roll-ups and the hourglass funnel (docs/product.md §10)."""
