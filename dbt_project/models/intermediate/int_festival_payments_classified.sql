-- Every landed festival row (one per member, one amount column per festival), classified
-- clean / duplicate / quarantined. A negative cell (or 合计) is reported with its column.

{%- set festival_columns = {
    'new_years_day': '元旦',
    'spring_festival': '春节',
    'qingming': '清明节',
    'labour_day': '五一节',
    'dragon_boat': '端午节',
    'mid_autumn': '中秋节',
    'national_day': '国庆节',
    'row_total': '合计',
} %}

with

festival_payments as (

    select * from {{ ref('stg_festival__payments') }}

),

department_names as (

    select * from {{ ref('int_department_names_unioned') }}

),

roster as (

    select * from {{ ref('int_members_cleaned') }}

),

festival_payments_checked as (

    select
        festival_payments.*,
        written_departments.department_code as written_department_code,
        roster.department_code as member_department_code,
        coalesce(roster.department_code, written_departments.department_code) as department_code,
        roster.staff_id is not null as is_in_roster
    from festival_payments
    left join department_names as written_departments
        on
            {{ normalize_department_name('festival_payments.department_name') }}
            = written_departments.department_name_normalized
    left join roster
        on festival_payments.staff_id = roster.staff_id

),

{%- set rules = [
    {'code': 'unknown_department', 'column': '部门',
     'when': 'department_name is not null and written_department_code is null'},
    {'code': 'unknown_staff_id', 'column': '工号', 'when': 'not is_in_roster'},
] %}
{%- for column, column_zh in festival_columns.items() %}
{%- do rules.append({'code': 'negative_amount', 'column': column_zh, 'when': column ~ ' < 0'}) %}
{%- endfor %}

festival_payments_classified as (

    {{ classify_landed_rows(
        'festival_payments_checked',
        key_columns=['staff_id'],
        key_column_zh='工号',
        rules=rules
    ) }}

)

select * from festival_payments_classified
