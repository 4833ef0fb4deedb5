"""Idea backlog: capture, triage, value-based ranking (docs/product.md §3.2, §4)."""
