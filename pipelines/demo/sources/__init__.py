"""One module per raw source: each builds the files of its folder and adds its figures to the tally."""
