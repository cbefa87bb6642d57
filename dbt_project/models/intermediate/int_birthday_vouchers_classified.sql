-- Every landed birthday voucher row, classified clean / duplicate / quarantined.

with

vouchers as (

    select * from {{ ref('stg_birthday__vouchers') }}

),

department_names as (

    select * from {{ ref('int_department_names_unioned') }}

),

roster as (

    select * from {{ ref('int_members_cleaned') }}

),

vouchers_checked as (

    select
        vouchers.*,
        written_departments.department_code as written_department_code,
        roster.department_code as member_department_code,
        coalesce(roster.department_code, written_departments.department_code) as department_code,
        roster.staff_id is not null as is_in_roster
    from vouchers
    left join department_names as written_departments
        on
            {{ normalize_department_name('vouchers.department_name') }}
            = written_departments.department_name_normalized
    left join roster
        on vouchers.staff_id = roster.staff_id

),

vouchers_classified as (

    {{ classify_landed_rows(
        'vouchers_checked',
        key_columns=['staff_id'],
        key_column_zh='工号',
        rules=[
            {'code': 'unknown_department', 'column': '部门',
             'when': 'department_name is not null and written_department_code is null'},
            {'code': 'unknown_staff_id', 'column': '工号', 'when': 'not is_in_roster'},
            {'code': 'negative_amount', 'column': '金额', 'when': 'amount < 0'},
        ]
    ) }}

)

select * from vouchers_classified
