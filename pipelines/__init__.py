"""union-warehouse: raw union spreadsheets to an auditable DuckDB warehouse."""
