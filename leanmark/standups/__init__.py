"""Daily stand-up: check-ins, the generated agenda, impediments (PRODUCT.md §9)."""
