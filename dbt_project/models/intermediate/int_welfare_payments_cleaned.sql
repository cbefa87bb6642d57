-- The year's welfare payments: clean rows only, charged to the report year, with the department
-- they count for (the member's, from the roster; the written one for family members).

with

payments as (

    select * from {{ ref('int_welfare_payments_classified') }}
    where row_status = 'clean'

),

cleaned as (

    select
        landed_row_id,
        staff_id,
        department_code,
        member_department_code,
        written_department_code,
        welfare_category,
        payment_form,
        recipient_name,
        department_name as department_name_written,
        remark,
        paid_on,
        fiscal_year as fiscal_year_written,
        charged_fiscal_year,
        amount,
        source_name,
        file_name,
        file_sha256,
        sheet_name,
        row_number,
        merged_from
    from payments

)

select * from cleaned
