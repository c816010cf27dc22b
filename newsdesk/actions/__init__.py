"""Every state change of the news desk: intake.py (sources and stored items)
and review.py (editors' decisions on candidates and staff requests)."""
