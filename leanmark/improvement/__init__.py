"""PDCA improvement cycles, the A3 page and continuous-improvement metrics (PRODUCT.md §8, §12)."""
