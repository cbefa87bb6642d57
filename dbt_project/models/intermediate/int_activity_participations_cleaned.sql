-- The year's activity participations: clean rows, with the member's department from the roster.

with

participations as (

    select * from {{ ref('int_activity_participations_classified') }}
    where row_status = 'clean'

),

cleaned as (

    select
        landed_row_id,
        md5({{ json_text_list([
            'activity_name', 'cast(activity_date as varchar)', 'activity_category'
        ]) }})
            as activity_id,
        staff_id,
        department_code,
        member_department_code,
        written_department_code,
        activity_name,
        activity_category,
        participant_name,
        department_name as department_name_written,
        participant_role,
        result,
        activity_date,
        source_name,
        file_name,
        file_sha256,
        sheet_name,
        row_number
    from participations

)

select * from cleaned
