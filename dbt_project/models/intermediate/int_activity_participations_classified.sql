-- Every landed activity participation row, classified clean / duplicate / quarantined.

with

participations as (

    select * from {{ ref('stg_activities__participations') }}

),

department_names as (

    select * from {{ ref('int_department_names_unioned') }}

),

roster as (

    select * from {{ ref('int_members_cleaned') }}

),

participations_checked as (

    select
        participations.*,
        written_departments.department_code as written_department_code,
        roster.department_code as member_department_code,
        coalesce(roster.department_code, written_departments.department_code) as department_code,
        roster.staff_id is not null as is_in_roster,
        {{ year_of('participations.activity_date') }} = {{ var('year') }} as is_in_year
    from participations
    left join department_names as written_departments
        on
            {{ normalize_department_name('participations.department_name') }}
            = written_departments.department_name_normalized
    left join roster
        on participations.staff_id = roster.staff_id

),

participations_classified as (

    {{ classify_landed_rows(
        'participations_checked',
        key_columns=['activity_name', 'activity_date', 'staff_id'],
        key_column_zh='活动名称、活动日期、工号',
        rules=[
            {'code': 'unknown_department', 'column': '部门',
             'when': 'department_name is not null and written_department_code is null'},
            {'code': 'unknown_staff_id', 'column': '工号', 'when': 'not is_in_roster'},
            {'code': 'date_outside_year', 'column': '活动日期', 'when': 'not is_in_year'},
        ]
    ) }}

)

select * from participations_classified
