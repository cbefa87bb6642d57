"""Publication: Parquet and workbooks under marts/<year>/, and the analysts' warehouse file."""
