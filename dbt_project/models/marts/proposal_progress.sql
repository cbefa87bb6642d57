-- Proposal handling over the year: at each month end, per congress, how many accepted proposals
-- were completed, as of the latest export on or before that month end (int_proposal_status_history:
-- a proposal missing from that export keeps its last known state). Month ends run from the month of
-- the year's first export to the month of its latest; the last month end agrees with
-- proposal_completion's congress totals (tests/assert_proposal_progress_ends_at_completion.sql).

with

history as (

    select * from {{ ref('int_proposal_status_history') }}

),

exports as (

    select distinct export_date
    from history

),

month_ends as (

    select
        cast({{ dbt.last_day('cast(month_start as date)', 'month') }} as date) as month_end
    from (
        select
            {{ month_starts(
                "cast(date_trunc('month', min(export_date)) as timestamp)",
                "cast(date_trunc('month', max(export_date)) as timestamp)"
            ) }} as month_start
        from exports
    ) as months

),

month_exports as (

    select
        month_ends.month_end,
        max(exports.export_date) as as_of_export_date
    from month_ends
    inner join exports
        on month_ends.month_end >= exports.export_date
    group by month_ends.month_end

),

aggregated as (

    select
        month_exports.month_end,
        month_exports.as_of_export_date,
        history.congress,
        count(*) as submitted,
        count(*) filter (where history.is_accepted) as accepted,
        count(*) filter (
            where history.is_accepted and history.handling_status = 'completed'
        ) as completed,
        count(*) filter (where history.is_carried_forward) as carried_forward
    from month_exports
    inner join history
        on month_exports.as_of_export_date = history.export_date
    group by month_exports.month_end, month_exports.as_of_export_date, history.congress

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        month_end,
        congress,
        cast(submitted as integer) as submitted,
        cast(accepted as integer) as accepted,
        cast(completed as integer) as completed,
        cast({{ rounded_ratio('completed', 'accepted', 4) }} as decimal(9, 4)) as completion_rate,
        cast(carried_forward as integer) as carried_forward,
        as_of_export_date
    from aggregated
    order by month_end, congress

)

select * from final
