"""The reimbursement history (DESIGN.md §7, docs/REMBOURSEMENTS.md): the insurer's service
behind a connector, its simulator, the sync job, the CNAM-HR reader and the page's selectors."""
