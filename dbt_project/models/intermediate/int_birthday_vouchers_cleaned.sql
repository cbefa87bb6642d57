-- The year's birthday vouchers: clean rows, with the member's department from the roster.

with

vouchers as (

    select * from {{ ref('int_birthday_vouchers_classified') }}
    where row_status = 'clean'

),

cleaned as (

    select
        landed_row_id,
        staff_id,
        department_code,
        member_department_code,
        written_department_code,
        member_name,
        department_name as department_name_written,
        birth_month,
        received_on,
        received_on_precision,
        amount,
        source_name,
        file_name,
        file_sha256,
        sheet_name,
        row_number,
        merged_from
    from vouchers

)

select * from cleaned
