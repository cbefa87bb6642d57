-- One row per quarantined landed row, from every source: where it is (file, sheet, row), the
-- cells as read (and which came from a merged cell), and why (the first rule it failed).

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

quarantined_rows as (

    {{ union_models(
        classified_models,
        columns=[
            'landed_row_id', 'source_name', 'table_name', 'file_name', 'file_sha256', 'sheet_name',
            'row_number', 'reason_column', 'raw_values', 'merged_from', 'reason_code',
            'department_code',
        ],
        where="row_status = 'quarantined'"
    ) }}

),

reason_codes as (

    select * from {{ ref('reason_codes') }}

),

departments as (

    select * from {{ ref('departments') }}

),

final as (

    select
        quarantined_rows.landed_row_id,
        cast({{ var('year') }} as integer) as year,
        quarantined_rows.source_name as source,
        quarantined_rows.table_name,
        quarantined_rows.file_name,
        quarantined_rows.file_sha256,
        quarantined_rows.sheet_name,
        quarantined_rows.row_number,
        quarantined_rows.reason_column as column_name,
        quarantined_rows.raw_values,
        -- the cells the row took from a merged cell above it (部门←E12), null when none
        quarantined_rows.merged_from,
        quarantined_rows.reason_code,
        reason_codes.reason_zh,
        reason_codes.reason_en,
        quarantined_rows.department_code,
        -- the department the row goes back to (one sheet each in quarantine.xlsx)
        departments.department_name
    from quarantined_rows
    left join reason_codes
        on quarantined_rows.reason_code = reason_codes.reason_code
    left join departments
        on quarantined_rows.department_code = departments.department_code
    order by
        quarantined_rows.source_name,
        quarantined_rows.file_name,
        quarantined_rows.sheet_name,
        quarantined_rows.row_number

)

select * from final
