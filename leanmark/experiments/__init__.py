"""Build-Measure-Learn experiments and the learnings library (docs/product.md §6)."""
