-- Activity participation per department over the whole year: how many of the department's members
-- (roster members at some time in the year) took part in at least one activity. participation
-- splits the same by activity category, where a member who took part in two categories counts in
-- both: its rows do not add up to this.

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
        count(distinct staff_id) as participants,
        count(*) as participations
    from participations
    group by department_code

),

-- every department with members, and any other department someone took part for
grid as (

    select department_code from members_per_department
    where members > 0

    union

    select department_code from participation_per_department

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        grid.department_code,
        departments.department_name,
        cast(coalesce(members_per_department.members, 0) as integer) as members,
        cast(coalesce(participation_per_department.participants, 0) as integer) as participants,
        cast(
            round(
                cast(coalesce(participation_per_department.participants, 0) as decimal(18, 4))
                / nullif(members_per_department.members, 0),
                4
            )
            as decimal(9, 4)
        ) as participation_rate,
        cast(coalesce(participation_per_department.participations, 0) as integer) as participations
    from grid
    left join members_per_department
        on grid.department_code = members_per_department.department_code
    left join participation_per_department
        on grid.department_code = participation_per_department.department_code
    left join departments
        on grid.department_code = departments.department_code
    order by grid.department_code

)

select * from final
