"""Readers of service-standard documents in the formats offices keep them (Word, PDF, HTML, text).

Each format only produces parts (``rows.Row``, ``rows.Text``); ``rows.assemble`` and the one
label matcher (``labels.component_for``) read them all.
"""
