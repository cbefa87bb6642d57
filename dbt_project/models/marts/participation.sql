-- Activity participation per department and activity category: how many of the department's
-- members (roster members at some time in the year) took part at least once.

with

participations as (

    select * from {{ ref('int_activity_participations_cleaned') }}

),

departments as (

    select * from {{ ref('departments') }}

),

members_per_department as (

    select * from {{ ref('int_members_aggregated_to_departments') }}

),

participation_per_department as (

    select
        department_code,
        activity_category,
        count(distinct staff_id) as participants,
        count(*) as participations
    from participations
    group by department_code, activity_category

),

categories as (

    select distinct activity_category from participations

),

-- every department with members, for every category held in the year (0 where nobody took part)
grid as (

    select
        members_per_department.department_code,
        categories.activity_category
    from members_per_department
    cross join categories
    where members_per_department.members > 0

    union

    select
        department_code,
        activity_category
    from participation_per_department

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        grid.department_code,
        departments.department_name,
        grid.activity_category,
        cast(coalesce(members_per_department.members, 0) as integer) as members,
        cast(coalesce(participation_per_department.participants, 0) as integer) as participants,
        cast(
            {{ rounded_ratio(
                'coalesce(participation_per_department.participants, 0)',
                'members_per_department.members',
                4
            ) }}
            as decimal(9, 4)
        ) as participation_rate,
        cast(coalesce(participation_per_department.participations, 0) as integer) as participations
    from grid
    left join members_per_department
        on grid.department_code = members_per_department.department_code
    left join participation_per_department
        on
            grid.department_code = participation_per_department.department_code
            and grid.activity_category = participation_per_department.activity_category
    left join departments
        on grid.department_code = departments.department_code
    order by grid.department_code, grid.activity_category

)

select * from final
