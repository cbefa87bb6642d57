-- Per source with files this year: the rows read and the share of them quarantined. The
-- publication's quarantine gate (pipelines/checks/quarantine.py) compares rows_quarantined with
-- the source's limit in pipelines/contract.yml; a source with loaded files and no clean row stops
-- it too.

with

load_log as (

    select * from {{ ref('load_log') }}

),

source_rows as (

    select
        source,
        count(*) filter (where file_status = 'loaded') as files_loaded,
        count(*) filter (where file_status = 'rejected') as files_rejected,
        sum(rows_read) as rows_read,
        sum(rows_clean) as rows_clean,
        sum(rows_duplicate) as rows_duplicate,
        sum(rows_quarantined) as rows_quarantined
    from load_log
    group by source

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        source,
        cast(files_loaded as integer) as files_loaded,
        cast(files_rejected as integer) as files_rejected,
        cast(rows_read as integer) as rows_read,
        cast(rows_clean as integer) as rows_clean,
        cast(rows_duplicate as integer) as rows_duplicate,
        cast(rows_quarantined as integer) as rows_quarantined,
        cast({{ rounded_ratio('rows_quarantined', 'rows_read', 4) }} as decimal(9, 4))
            as quarantined_share
    from source_rows

)

select * from final
order by source
