"""The formats of a document. The ``cda`` package reads a CDA, renders its narrative as HTML and
reads CNAM-HR reimbursement entries. Nothing is re-exported here: callers import from the module
that does the job.
"""
