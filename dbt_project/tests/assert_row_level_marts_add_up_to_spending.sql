{{ config(meta={'dagster': {'ref': {'name': 'spending_by_category'}}}) }}
-- The row-level payment marts hold the same money as spending_by_category: per category and
-- department, the welfare and birthday rows add up to the spending rows (no row lost, none twice).

with

spending as (

    select
        category,
        coalesce(department_code, '') as department_code,
        sum(amount) as amount
    from {{ ref('spending_by_category') }}
    where
        category in (
            select categories.category_key from {{ ref('spending_categories') }} as categories
            where categories.source_name in ('welfare', 'birthday')
        )
    group by category, coalesce(department_code, '')

),

rows_paid as (

    select
        category,
        coalesce(department_code, '') as department_code,
        sum(amount) as amount
    from (
        select
            category,
            department_code,
            amount
        from {{ ref('welfare_payments') }}
        union all
        select
            category,
            department_code,
            amount
        from {{ ref('birthday_vouchers') }}
    ) as payments
    group by category, coalesce(department_code, '')

)

select
    coalesce(spending.category, rows_paid.category) as category,
    coalesce(spending.department_code, rows_paid.department_code) as department_code,
    spending.amount as spending_amount,
    rows_paid.amount as rows_amount
from spending
full outer join rows_paid
    on
        spending.category = rows_paid.category
        and spending.department_code = rows_paid.department_code
where spending.amount is distinct from rows_paid.amount
