"""PDCA cycles, the A3 page and continuous-improvement metrics (docs/product.md §8, §12)."""
