-- Every landed welfare payment row, classified clean / duplicate / quarantined.
-- Fiscal year: 所属年度, or the year of 发放日期 when blank; it must be the report year, and
-- 发放日期 must lie between 1 October of the year before and 31 March of the year after.

with

payments as (

    select * from {{ ref('stg_welfare__payments') }}

),

department_names as (

    select * from {{ ref('int_department_names_unioned') }}

),

roster as (

    select * from {{ ref('int_members_cleaned') }}

),

categories as (

    select * from {{ ref('spending_categories') }}

),

payments_checked as (

    select
        payments.*,
        written_departments.department_code as written_department_code,
        roster.department_code as member_department_code,
        coalesce(roster.department_code, written_departments.department_code) as department_code,
        roster.staff_id is not null as is_in_roster,
        coalesce(categories.allows_blank_staff_id, false) as allows_blank_staff_id,
        coalesce(payments.fiscal_year, {{ year_of('payments.paid_on') }}) as charged_fiscal_year,
        payments.paid_on between make_date({{ var('year') }} - 1, 10, 1)
        and make_date({{ var('year') }} + 1, 3, 31) as is_paid_in_fiscal_year
    from payments
    left join department_names as written_departments
        on
            {{ normalize_department_name('payments.department_name') }}
            = written_departments.department_name_normalized
    left join roster
        on payments.staff_id = roster.staff_id
    left join categories
        on payments.welfare_category = categories.category_key

),

payments_classified as (

    {{ classify_landed_rows(
        'payments_checked',
        rules=[
            {'code': 'unknown_department', 'column': '部门',
             'when': 'department_name is not null and written_department_code is null'},
            {'code': 'missing_staff_id', 'column': '工号',
             'when': 'staff_id is null and not allows_blank_staff_id'},
            {'code': 'unknown_staff_id', 'column': '工号',
             'when': 'staff_id is not null and not is_in_roster'},
            {'code': 'negative_amount', 'column': '金额',
             'when': 'amount < 0'},
            {'code': 'wrong_fiscal_year', 'column': '所属年度',
             'when': 'charged_fiscal_year <> ' ~ var('year')},
            {'code': 'date_outside_fiscal_year', 'column': '发放日期',
             'when': 'not is_paid_in_fiscal_year'},
        ]
    ) }}

)

select * from payments_classified
