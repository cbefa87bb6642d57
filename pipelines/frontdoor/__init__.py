"""The departments' front door: templates from the contract, instant checks of a file, and the
submission page (pipelines.frontdoor.web)."""
