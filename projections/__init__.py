"""The read side: projections built from the ledger's event log."""
