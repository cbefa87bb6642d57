-- The year's budget per category: clean budget lines.

with

budget_lines as (

    select * from {{ ref('int_budget_lines_classified') }}
    where row_status = 'clean'

),

cleaned as (

    select
        landed_row_id,
        budget_category,
        budget_amount,
        source_name,
        file_name,
        file_sha256,
        sheet_name,
        row_number
    from budget_lines

)

select * from cleaned
