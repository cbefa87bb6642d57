-- Per source and reason: how many rows the reason quarantined, its rank within the source (most
-- rows first) and one example row (the first by file, sheet and row), so a stopped publication
-- can say what went wrong where without the clerk opening every file.

with

quarantine as (

    select * from {{ ref('quarantine') }}

),

numbered as (

    select
        source,
        reason_code,
        reason_zh,
        reason_en,
        file_name,
        sheet_name,
        row_number,
        column_name,
        raw_values,
        count(*) over (partition by source, reason_code) as rows_quarantined,
        row_number() over (
            partition by source, reason_code
            order by file_name, sheet_name, row_number
        ) as row_order
    from quarantine

),

examples as (

    select * from numbered
    where row_order = 1

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        source,
        reason_code,
        cast(row_number() over (
            partition by source
            order by rows_quarantined desc, reason_code asc
        ) as integer) as reason_rank,
        reason_zh,
        reason_en,
        cast(rows_quarantined as integer) as rows_quarantined,
        file_name as example_file_name,
        sheet_name as example_sheet_name,
        row_number as example_row_number,
        column_name as example_column_name,
        cast(raw_values as varchar) as example_raw_values
    from examples

)

select * from final
order by source, reason_rank
