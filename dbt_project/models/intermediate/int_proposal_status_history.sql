-- Each proposal's state at every export of the year, from the first export with a clean row for it
-- on: the clean row of that export, or, when the export has no clean row for it (missing there, or
-- quarantined there), the state of its latest earlier export that has one, carried forward. This is
-- the rule of int_proposal_snapshots_collapsed applied at every export instead of only the latest,
-- so the row at the latest export is the state proposal_completion counts.

with

proposals as (

    select * from {{ ref('int_proposals_classified') }}

),

-- every export of the year: an export date among the landed proposal rows, clean or not
exports as (

    select distinct export_date
    from proposals
    where export_date is not null

),

clean_rows as (

    select
        proposal_id,
        export_date,
        congress,
        is_accepted,
        handling_status,
        satisfaction,
        lead_department_code,
        submitted_on,
        replied_on,
        landed_row_id,
        file_name,
        file_sha256
    from proposals
    where row_status = 'clean'

),

first_seen as (

    select
        proposal_id,
        min(export_date) as first_export_date
    from clean_rows
    group by proposal_id

),

grid as (

    select
        first_seen.proposal_id,
        exports.export_date
    from first_seen
    inner join exports
        on first_seen.first_export_date <= exports.export_date

),

-- the export whose clean row holds the state: this export's, else the latest earlier one with one
state_exports as (

    select
        grid.proposal_id,
        grid.export_date,
        max(clean_rows.export_date) as state_export_date
    from grid
    inner join clean_rows
        on
            grid.proposal_id = clean_rows.proposal_id
            and grid.export_date >= clean_rows.export_date
    group by grid.proposal_id, grid.export_date

),

-- that clean row (one per proposal and export: the key is unique within an export)
states as (

    select
        state_exports.proposal_id,
        state_exports.export_date,
        state_exports.state_export_date,
        clean_rows.congress,
        clean_rows.is_accepted,
        clean_rows.handling_status,
        clean_rows.satisfaction,
        clean_rows.lead_department_code,
        clean_rows.submitted_on,
        clean_rows.replied_on,
        clean_rows.landed_row_id,
        clean_rows.file_name,
        clean_rows.file_sha256
    from state_exports
    inner join clean_rows
        on
            state_exports.proposal_id = clean_rows.proposal_id
            and state_exports.state_export_date = clean_rows.export_date

),

final as (

    select
        proposal_id,
        export_date,
        congress,
        is_accepted,
        handling_status,
        satisfaction,
        lead_department_code,
        submitted_on,
        replied_on,
        state_export_date,
        state_export_date < export_date as is_carried_forward,
        lag(export_date) over by_proposal is null as is_first_export,
        lag(handling_status) over by_proposal as previous_handling_status,
        lag(export_date) over by_proposal is not null
        and (
            handling_status is distinct from lag(handling_status) over by_proposal
            or is_accepted is distinct from lag(is_accepted) over by_proposal
        ) as is_status_changed,
        lead(export_date) over by_proposal as next_export_date,
        landed_row_id,
        file_name,
        file_sha256
    from states
    window by_proposal as (partition by proposal_id order by export_date)

)

select * from final
order by proposal_id, export_date
