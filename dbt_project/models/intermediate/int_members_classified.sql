-- Every landed roster row, classified clean / duplicate / quarantined.
-- Personal data (id_card_number, mobile_number) is not selected from staging.

with

members as (

    select
        landed_row_id,
        staff_id,
        member_name,
        gender,
        department_name,
        birth_date,
        joined_on,
        staff_category,
        is_veteran,
        member_status,
        status_date,
        contract_values_hash,
        source_name,
        table_name,
        file_name,
        file_sha256,
        sheet_name,
        row_number,
        raw_values,
        merged_from,
        error_code,
        error_column
    from {{ ref('stg_members__members') }}

),

department_names as (

    select * from {{ ref('int_department_names_unioned') }}

),

members_mapped as (

    select
        members.*,
        department_names.department_code
    from members
    left join department_names
        on
            {{ normalize_department_name('members.department_name') }}
            = department_names.department_name_normalized

),

members_classified as (

    {{ classify_landed_rows(
        'members_mapped',
        key_columns=['staff_id'],
        key_column_zh='工号',
        rules=[
            {'code': 'unknown_department', 'column': '部门',
             'when': 'department_name is not null and department_code is null'},
        ]
    ) }}

)

select * from members_classified
