"""Platform (docs/product.md §3.12): live updates, imports, exports, webhooks, background jobs,
backup and restore."""
