-- The year's members, one row per member: the roster without its personal data. 身份证号 and 手机号
-- stop at staging; the birth date is kept only as its month (the month a birthday voucher is due).

with

members as (

    select * from {{ ref('int_members_cleaned') }}

),

departments as (

    select * from {{ ref('departments') }}

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        members.staff_id,
        members.member_name,
        members.department_code,
        departments.department_name,
        members.staff_category,
        members.member_status,
        members.joined_on,
        members.status_date,
        cast({{ month_of('members.birth_date') }} as integer) as birth_month,
        members.file_name,
        members.sheet_name,
        members.row_number,
        members.merged_from
    from members
    left join departments
        on members.department_code = departments.department_code
    where members.is_member_in_year
    order by members.staff_id

)

select * from final
