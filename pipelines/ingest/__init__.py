"""Raw files to landed rows: read workbooks, find headers, keep lineage, land in schema `raw`."""
