"""Flow analytics and Monte Carlo forecasts from the event log (PRODUCT.md §5)."""
