"""Pure parsing rules of the raw contract: one cell's text to one typed value.

Every rule is a Polars expression builder, so a sheet is parsed column by column without Python loops
over rows. Each builder returns the parsed value and, where a value can be wrong, an error-code
expression (NULL when the cell is fine) naming the contract's reason.
"""
