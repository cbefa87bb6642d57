"""Fiscal years as Dagster partitions: one run builds one year."""

import dagster as dg

FIRST_YEAR, LAST_YEAR = 2015, 2035
fiscal_years = dg.StaticPartitionsDefinition([str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)])
