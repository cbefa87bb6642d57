{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'load_log'}}}) }}
-- The landing's own count of the data rows it wrote per file (raw.sheets) agrees with the rows
-- found in the raw tables.
with

sheets as (

    select
        file_name,
        sum(data_rows) as data_rows
    from {{ ref('stg_landing__sheets') }}
    where table_name is not null
    group by file_name

)

select
    load_log.file_name,
    load_log.rows_read,
    sheets.data_rows
from {{ ref('load_log') }} as load_log
inner join sheets
    on load_log.file_name = sheets.file_name
where load_log.rows_read <> sheets.data_rows
