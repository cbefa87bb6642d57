-- Everything worth a look that does not stop a row: the rules' warnings (a department that differs
-- from the roster's, a blank 所属年度, a festival row whose 合计 differs from its cells, a proposal
-- kept from an earlier export) and the landing's own warnings (raw.load_warnings).

with

welfare_payments as (

    select * from {{ ref('int_welfare_payments_cleaned') }}

),

festival_payments as (

    select * from {{ ref('int_festival_payments_classified') }}
    where row_status = 'clean'

),

birthday_vouchers as (

    select * from {{ ref('int_birthday_vouchers_cleaned') }}

),

participations as (

    select * from {{ ref('int_activity_participations_cleaned') }}

),

proposals as (

    select * from {{ ref('int_proposal_snapshots_collapsed') }}

),

load_warnings as (

    select * from {{ ref('stg_landing__load_warnings') }}

),

warning_codes as (

    select * from {{ ref('warning_codes') }}

),

departments as (

    select * from {{ ref('departments') }}

),

-- rows whose written department is a known one, but not the member's
department_mismatches as (

    select
        source_name,
        file_name,
        sheet_name,
        row_number,
        department_name_written,
        member_department_code
    from welfare_payments
    where member_department_code <> written_department_code

    union all

    select
        source_name,
        file_name,
        sheet_name,
        row_number,
        department_name,
        member_department_code
    from festival_payments
    where member_department_code <> written_department_code

    union all

    select
        source_name,
        file_name,
        sheet_name,
        row_number,
        department_name_written,
        member_department_code
    from birthday_vouchers
    where member_department_code <> written_department_code

    union all

    select
        source_name,
        file_name,
        sheet_name,
        row_number,
        department_name_written,
        member_department_code
    from participations
    where member_department_code <> written_department_code

),

rule_warnings as (

    select
        department_mismatches.source_name,
        department_mismatches.file_name,
        department_mismatches.sheet_name,
        department_mismatches.row_number,
        '部门' as column_name,
        'department_differs_from_roster' as warning_code,
        department_mismatches.department_name_written || ' ≠ ' || departments.department_name
            as detail
    from department_mismatches
    left join departments
        on department_mismatches.member_department_code = departments.department_code

    union all

    select
        source_name,
        file_name,
        sheet_name,
        row_number,
        '所属年度',
        'fiscal_year_blank',
        cast(charged_fiscal_year as varchar)
    from welfare_payments
    where fiscal_year_written is null

    union all

    select
        source_name,
        file_name,
        sheet_name,
        row_number,
        '合计',
        'festival_row_total_mismatch',
        cast(row_total as varchar) || ' ≠ ' || cast(cells_total as varchar)
    from (
        select
            *,
            coalesce(new_years_day, 0) + coalesce(spring_festival, 0) + coalesce(qingming, 0)
            + coalesce(labour_day, 0) + coalesce(dragon_boat, 0) + coalesce(mid_autumn, 0)
            + coalesce(national_day, 0) as cells_total
        from festival_payments
    ) as festival_totals
    where row_total <> cells_total

    union all

    select
        source_name,
        file_name,
        sheet_name,
        row_number,
        '提案编号',
        'proposal_state_carried_forward',
        proposal_id || ': ' || cast(state_export_date as varchar) || ' → '
        || cast(latest_export_date as varchar)
    from proposals
    where is_carried_forward

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        'rules' as warning_origin,
        rule_warnings.source_name as source,
        rule_warnings.file_name,
        rule_warnings.sheet_name,
        rule_warnings.row_number,
        rule_warnings.column_name,
        rule_warnings.warning_code,
        warning_codes.warning_zh || '：' || rule_warnings.detail as message_zh,
        warning_codes.warning_en || ': ' || rule_warnings.detail as message_en
    from rule_warnings
    left join warning_codes
        on rule_warnings.warning_code = warning_codes.warning_code

    union all

    select
        cast({{ var('year') }} as integer),
        'landing',
        source_name,
        file_name,
        sheet_name,
        row_number,
        column_name,
        warning_code,
        message_zh,
        message_en
    from load_warnings

)

select * from final
order by source, file_name, sheet_name, row_number, warning_code
