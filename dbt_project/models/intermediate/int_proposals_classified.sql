-- Every landed proposal row of every export, classified clean / duplicate / quarantined.
-- Each export is a snapshot: duplicates and conflicts are looked for within one export only
-- (the same 提案编号 in two exports is one proposal at two dates). 承办部门 and every 协办部门
-- must be known departments.

with

proposals as (

    select * from {{ ref('stg_proposals__proposals') }}

),

department_names as (

    select * from {{ ref('int_department_names_unioned') }}

),

co_department_names as (

    select
        landed_row_id,
        unnest(co_department_names) as co_department_name,
        generate_subscripts(co_department_names, 1) as co_department_position
    from proposals

),

co_departments as (

    select
        co_department_names.landed_row_id,
        array_agg(
            department_names.department_code order by co_department_names.co_department_position
        )
            as co_department_codes,
        bool_or(department_names.department_code is null) as has_unknown_co_department
    from co_department_names
    left join department_names
        on
            {{ normalize_department_name('co_department_names.co_department_name') }}
            = department_names.department_name_normalized
    group by co_department_names.landed_row_id

),

proposals_checked as (

    select
        proposals.*,
        lead_departments.department_code as lead_department_code,
        lead_departments.department_code,
        co_departments.co_department_codes,
        coalesce(co_departments.has_unknown_co_department, false) as has_unknown_co_department
    from proposals
    left join department_names as lead_departments
        on
            {{ normalize_department_name('proposals.lead_department_name') }}
            = lead_departments.department_name_normalized
    left join co_departments
        on proposals.landed_row_id = co_departments.landed_row_id

),

proposals_classified as (

    {{ classify_landed_rows(
        'proposals_checked',
        key_columns=['proposal_id'],
        key_column_zh='提案编号',
        partition_by=['export_date'],
        rules=[
            {'code': 'unknown_department', 'column': '承办部门',
             'when': 'lead_department_name is not null and lead_department_code is null'},
            {'code': 'unknown_department', 'column': '协办部门',
             'when': 'has_unknown_co_department'},
        ]
    ) }}

)

select * from proposals_classified
