"""The auditor's tools."""
