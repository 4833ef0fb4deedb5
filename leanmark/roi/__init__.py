"""Value-stream ROI and resource allocation (PRODUCT.md §11)."""
