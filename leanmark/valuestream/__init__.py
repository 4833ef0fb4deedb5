"""Value stream maps of the Marketing Hourglass (docs/product.md §7)."""
