"""Split by concept: plans, inspections (on site), consequences, reports, signals, stats."""
