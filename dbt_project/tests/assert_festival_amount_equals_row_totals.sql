{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'report_figures'}}}) }}
-- Reconciliation implied by the summary: festival.amount (the sum of the festival cells) equals
-- the sum of the 合计 column over the same clean rows, when every row has one. A difference is a
-- warning, as in the contract; audit.warnings names the rows.
with

figure as (

    select value
    from {{ ref('report_figures') }}
    where figure_key = 'festival.amount'

),

row_totals as (

    select
        coalesce(sum(row_total), 0) as row_totals,
        count(*) filter (where row_total is null) as rows_without_total
    from {{ ref('int_festival_payments_classified') }}
    where row_status = 'clean'

)

select
    figure.value,
    row_totals.row_totals
from figure
cross join row_totals
where
    figure.value <> row_totals.row_totals
    -- a sheet without a 合计 column has nothing to check against
    and row_totals.rows_without_total = 0
