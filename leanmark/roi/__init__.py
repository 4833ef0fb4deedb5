"""Value-stream ROI and resource allocation (docs/product.md §11)."""
