"""journey: the event-sourced ledger of a child's care journey (the write side)."""
