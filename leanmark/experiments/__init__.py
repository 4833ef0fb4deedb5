"""Build-Measure-Learn experiments and the learnings library (PRODUCT.md §6)."""
