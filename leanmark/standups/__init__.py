"""Daily stand-up: check-ins, the generated agenda, impediments (docs/product.md §9)."""
