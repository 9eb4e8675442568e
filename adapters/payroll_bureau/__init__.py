"""The outside payroll bureau: payslip lines handed over as a file."""
