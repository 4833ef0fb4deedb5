"""Idea backlog: capture, triage, value-based ranking (PRODUCT.md §3.2, §4)."""
