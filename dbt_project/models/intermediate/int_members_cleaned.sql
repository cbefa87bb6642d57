-- The year's roster: one row per member (clean roster rows), with the member's department.
-- The roster's department is the member's department in every mart.

with

members as (

    select * from {{ ref('int_members_classified') }}
    where row_status = 'clean'

),

attributed as (

    select
        staff_id,
        department_code,
        member_name,
        gender,
        staff_category,
        member_status,
        is_veteran,
        birth_date,
        joined_on,
        status_date,
        -- a member at some time in the year: joined by its end, not gone before its start
        joined_on <= make_date({{ var('year') }}, 12, 31)
        and (
            member_status = 'active'
            or status_date is null
            or status_date >= make_date({{ var('year') }}, 1, 1)
        ) as is_member_in_year,
        landed_row_id,
        file_name,
        file_sha256,
        sheet_name,
        row_number,
        merged_from
    from members

)

select * from attributed
