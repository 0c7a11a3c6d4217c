"""Demo data for seed-demo."""
