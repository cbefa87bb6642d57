-- The year's birthday vouchers, one row per clean voucher row: the member, the department the
-- voucher counts for (the member's, from the roster), the amount and where the row came from.

with

vouchers as (

    select * from {{ ref('int_birthday_vouchers_cleaned') }}

),

departments as (

    select * from {{ ref('departments') }}

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        vouchers.landed_row_id,
        vouchers.staff_id,
        'birthday' as category,
        vouchers.department_code,
        departments.department_name,
        vouchers.birth_month,
        vouchers.received_on,
        vouchers.received_on_precision,
        vouchers.amount,
        vouchers.file_name,
        vouchers.sheet_name,
        vouchers.row_number,
        vouchers.merged_from
    from vouchers
    left join departments
        on vouchers.department_code = departments.department_code
    order by vouchers.file_name, vouchers.sheet_name, vouchers.row_number

)

select * from final
