-- Money paid out per month, category and department: the welfare categories, festival payments,
-- birthday vouchers and poverty-alleviation purchases, against the year's budget where the budget
-- source has the category.

with

welfare_payments as (

    select * from {{ ref('int_welfare_payments_cleaned') }}

),

festival_payments as (

    select * from {{ ref('int_festival_payments_unpivoted') }}

),

birthday_vouchers as (

    select * from {{ ref('int_birthday_vouchers_cleaned') }}

),

purchases as (

    select * from {{ ref('int_alleviation_purchases_cleaned') }}

),

budget_lines as (

    select * from {{ ref('int_budget_lines_cleaned') }}

),

departments as (

    select * from {{ ref('departments') }}

),

spending as (

    -- recipient_key: who was paid (the staff id, or the row for a family member); null for
    -- purchases
    select
        welfare_category as category,
        department_code,
        coalesce(staff_id, landed_row_id) as recipient_key,
        date_trunc('month', paid_on) as month_start,
        amount
    from welfare_payments

    union all

    select
        'festival',
        department_code,
        staff_id,
        make_date({{ var('year') }}, festival_month, 1),
        amount
    from festival_payments

    union all

    select
        'birthday',
        department_code,
        staff_id,
        make_date({{ var('year') }}, birth_month, 1),
        amount
    from birthday_vouchers

    union all

    select
        'alleviation',
        null,
        null,
        date_trunc('month', purchased_on),
        amount
    from purchases

),

aggregated as (

    select
        category,
        department_code,
        cast(month_start as date) as month_start,
        case
            when count(recipient_key) > 0 then count(distinct recipient_key)
        end as people,
        count(*) as payments,
        sum(amount) as amount
    from spending
    group by category, department_code, month_start

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        cast({{ month_of('aggregated.month_start') }} as integer) as month,
        aggregated.month_start,
        aggregated.category,
        aggregated.department_code,
        departments.department_name,
        cast(aggregated.people as integer) as people,
        cast(aggregated.payments as integer) as payments,
        cast(aggregated.amount as decimal(18, 2)) as amount,
        budget_lines.budget_amount,
        -- eight places, so that a category's rows still add up to its share (to 1e-8 per row)
        cast(
            {{ rounded_ratio('aggregated.amount', 'budget_lines.budget_amount', 8) }}
            as decimal(12, 8)
        ) as share_used
    from aggregated
    left join departments
        on aggregated.department_code = departments.department_code
    left join budget_lines
        on aggregated.category = budget_lines.budget_category
    order by aggregated.month_start, aggregated.category, aggregated.department_code

)

select * from final
