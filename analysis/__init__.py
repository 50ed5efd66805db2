"""Validation, prevalence, trade, correlation, claims, figures and the report."""
