-- The year's welfare payments, one row per clean payment row charged to the year: who was paid
-- (工号, or only a name for a family member), the category, the amount, the date, the department
-- the payment counts for, and where the row came from. 备注 (free text) is not published.

with

payments as (

    select * from {{ ref('int_welfare_payments_cleaned') }}

),

departments as (

    select * from {{ ref('departments') }}

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        payments.landed_row_id,
        payments.staff_id,
        payments.recipient_name,
        payments.welfare_category as category,
        payments.department_code,
        departments.department_name,
        payments.payment_form,
        payments.paid_on,
        payments.amount,
        payments.file_name,
        payments.sheet_name,
        payments.row_number,
        payments.merged_from
    from payments
    left join departments
        on payments.department_code = departments.department_code
    order by payments.file_name, payments.sheet_name, payments.row_number

)

select * from final
