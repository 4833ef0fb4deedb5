"""Value stream maps of the Marketing Hourglass (PRODUCT.md §7)."""
