"""Metrics, measurements, roll-ups and the hourglass funnel (PRODUCT.md §10)."""
