"""The office's working days: weekends, national holidays, cuti bersama and closures.

Complaint deadlines (14 working days, seed 000) and permit durations (the standard's
jangka waktu, seed 004) are counted with the same calendar: ``webapp.workdays.service``.
"""
