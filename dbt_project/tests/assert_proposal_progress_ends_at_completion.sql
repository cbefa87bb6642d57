{{ config(meta={'dagster': {'ref': {'name': 'proposal_progress'}}}) }}
-- proposal_progress at its last month end counts what proposal_completion counts (the latest
-- export, carried-forward states included): the two marts never disagree on where the year ended.
with

last_month as (

    select *
    from {{ ref('proposal_progress') }}
    where month_end = (
        select max(progress.month_end) from {{ ref('proposal_progress') }} as progress
    )

),

totals as (

    select *
    from {{ ref('proposal_completion') }}
    where department_code = 'ALL'

)

select
    coalesce(last_month.congress, totals.congress) as congress,
    last_month.accepted as progress_accepted,
    totals.accepted as completion_accepted,
    last_month.completed as progress_completed,
    totals.completed as completion_completed
from last_month
full outer join totals
    on last_month.congress = totals.congress
where
    last_month.congress is null
    or totals.congress is null
    or last_month.submitted <> totals.submitted
    or last_month.accepted <> totals.accepted
    or last_month.completed <> totals.completed
    or last_month.completion_rate is distinct from totals.completion_rate
    or last_month.carried_forward <> totals.carried_forward
    or last_month.as_of_export_date <> totals.as_of_export_date
