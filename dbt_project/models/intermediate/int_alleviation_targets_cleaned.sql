-- The year's purchase target per county: clean 帮扶任务 rows.

with

targets as (

    select * from {{ ref('int_alleviation_targets_classified') }}
    where row_status = 'clean'

),

cleaned as (

    select
        landed_row_id,
        county_code,
        county_name as county_name_written,
        target_amount,
        source_name,
        file_name,
        file_sha256,
        sheet_name,
        row_number
    from targets

)

select * from cleaned
