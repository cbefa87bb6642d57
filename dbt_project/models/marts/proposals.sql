-- The year's proposals, one row per proposal as of the latest export (a proposal missing from it
-- keeps its last known state, flagged): what was proposed, when, whether it was accepted, who
-- handles it, its state, the reply and how long it took.

with

proposals as (

    select * from {{ ref('int_proposal_snapshots_collapsed') }}

),

departments as (

    select * from {{ ref('departments') }}

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        proposals.proposal_id,
        proposals.congress,
        proposals.congress_session,
        proposals.title,
        proposals.submitted_on,
        proposals.is_accepted,
        proposals.lead_department_code,
        departments.department_name as lead_department_name,
        proposals.co_department_codes,
        proposals.handling_status,
        proposals.replied_on,
        cast(proposals.days_to_reply as integer) as days_to_reply,
        proposals.satisfaction,
        proposals.state_export_date,
        proposals.latest_export_date,
        proposals.is_carried_forward,
        proposals.file_name,
        proposals.sheet_name,
        proposals.row_number,
        proposals.merged_from
    from proposals
    left join departments
        on proposals.lead_department_code = departments.department_code
    order by proposals.proposal_id

)

select * from final
