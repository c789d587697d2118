"""Pages of the plans app, one module per part (plans, targets, manual values)."""
