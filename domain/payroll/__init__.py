"""Payroll rules: employment records, dated contribution rates, contributions and wage tax."""
