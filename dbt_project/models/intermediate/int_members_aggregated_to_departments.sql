-- Members per department over the year: how many roster members were members at some time in the
-- year, the denominator of participation and participation_by_department.

with

members as (

    select * from {{ ref('int_members_cleaned') }}

),

final as (

    select
        department_code,
        count(*) filter (where is_member_in_year) as members
    from members
    group by department_code

)

select * from final
