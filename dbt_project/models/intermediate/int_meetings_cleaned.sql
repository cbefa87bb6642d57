-- The year's meetings: clean rows.

with

meetings as (

    select * from {{ ref('int_meetings_classified') }}
    where row_status = 'clean'

),

cleaned as (

    select
        landed_row_id,
        meeting_type,
        meeting_name,
        meeting_date,
        documents_reviewed,
        source_name,
        file_name,
        file_sha256,
        sheet_name,
        row_number
    from meetings

)

select * from cleaned
