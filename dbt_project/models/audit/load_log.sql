-- Per source and file: the rows read (landed) and where they went. rows_read is counted from the
-- staging models, the outcomes from the classification models, so a classification that lost or
-- doubled a row shows as rows_read <> rows_clean + rows_duplicate + rows_quarantined
-- (tests/assert_load_log_conserves_rows.sql). Rejected files are listed with 0 rows.

{%- set staging_models = [
    'stg_members__members',
    'stg_welfare__payments',
    'stg_festival__payments',
    'stg_birthday__vouchers',
    'stg_alleviation__purchases',
    'stg_alleviation__targets',
    'stg_proposals__proposals',
    'stg_activities__participations',
    'stg_publicity__posts',
    'stg_meetings__meetings',
    'stg_budget__lines',
] %}
{%- set classified_models = [
    'int_members_classified',
    'int_welfare_payments_classified',
    'int_festival_payments_classified',
    'int_birthday_vouchers_classified',
    'int_alleviation_purchases_classified',
    'int_alleviation_targets_classified',
    'int_proposals_classified',
    'int_activity_participations_classified',
    'int_publicity_posts_classified',
    'int_meetings_classified',
    'int_budget_lines_classified',
] %}

with

landed_rows as (

    {{ union_models(staging_models, columns=['source_name', 'file_name', 'file_sha256']) }}

),

classified_rows as (

    {{ union_models(classified_models, columns=['source_name', 'file_name', 'row_status']) }}

),

files as (

    select * from {{ ref('stg_landing__files') }}

),

rows_read as (

    select
        source_name,
        file_name,
        -- one file, one hash
        min(file_sha256) as file_sha256,
        count(*) as rows_read
    from landed_rows
    group by source_name, file_name

),

outcomes as (

    select
        source_name,
        file_name,
        count(*) filter (where row_status = 'clean') as rows_clean,
        count(*) filter (where row_status = 'duplicate') as rows_duplicate,
        count(*) filter (where row_status = 'quarantined') as rows_quarantined
    from classified_rows
    group by source_name, file_name

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        coalesce(files.source_name, rows_read.source_name) as source,
        coalesce(files.file_name, rows_read.file_name) as file_name,
        coalesce(files.file_sha256, rows_read.file_sha256) as file_sha256,
        coalesce(files.file_status, 'loaded') as file_status,
        files.error_code,
        files.message_zh,
        files.message_en,
        cast(coalesce(rows_read.rows_read, 0) as integer) as rows_read,
        cast(coalesce(outcomes.rows_clean, 0) as integer) as rows_clean,
        cast(coalesce(outcomes.rows_duplicate, 0) as integer) as rows_duplicate,
        cast(coalesce(outcomes.rows_quarantined, 0) as integer) as rows_quarantined
    from files
    full outer join rows_read
        on files.file_name = rows_read.file_name
    left join outcomes
        on coalesce(files.file_name, rows_read.file_name) = outcomes.file_name
    order by source, file_name

)

select * from final
