"""Flow analytics and Monte Carlo forecasts from the event log (docs/product.md §5)."""
