-- The year's state of every proposal: its clean row in the latest export, or, when the latest
-- export has no clean row for it (missing, or quarantined there), its clean row in the latest
-- export that has one: it keeps its last known state and is flagged (audit.warnings reports it).

with

proposals as (

    select * from {{ ref('int_proposals_classified') }}

),

exports as (

    select max(export_date) as latest_export_date
    from proposals

),

clean_snapshots as (

    select
        *,
        row_number() over (partition by proposal_id order by export_date desc) as snapshot_rank
    from proposals
    where row_status = 'clean'

),

latest_states as (

    select
        clean_snapshots.proposal_id,
        clean_snapshots.congress,
        clean_snapshots.lead_department_code,
        clean_snapshots.co_department_codes,
        clean_snapshots.congress_session,
        clean_snapshots.title,
        clean_snapshots.proposer_name,
        clean_snapshots.is_accepted,
        clean_snapshots.handling_status,
        clean_snapshots.satisfaction,
        clean_snapshots.submitted_on,
        clean_snapshots.replied_on,
        clean_snapshots.replied_on - clean_snapshots.submitted_on as days_to_reply,
        clean_snapshots.export_date as state_export_date,
        exports.latest_export_date,
        clean_snapshots.export_date < exports.latest_export_date as is_carried_forward,
        clean_snapshots.landed_row_id,
        clean_snapshots.source_name,
        clean_snapshots.file_name,
        clean_snapshots.file_sha256,
        clean_snapshots.sheet_name,
        clean_snapshots.row_number,
        clean_snapshots.merged_from
    from clean_snapshots
    cross join exports
    where clean_snapshots.snapshot_rank = 1

)

select * from latest_states
