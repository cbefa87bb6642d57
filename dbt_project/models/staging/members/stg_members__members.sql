{%- set contract_columns = [
    'staff_id',
    'member_name',
    'gender',
    'department_name',
    'birth_date',
    'joined_on',
    'staff_category',
    'is_veteran',
    'id_card_number',
    'mobile_number',
    'member_status',
    'status_date',
] -%}

with

source as (

    select * from {{ source('members', 'members') }}

),

renamed as (

    select
        {{ landed_row_id() }} as landed_row_id,
        {{ contract_columns | join(',\n        ') }},
        {{ contract_values_hash(contract_columns) }} as contract_values_hash,
        {{ lineage_columns('members') }}
    from source

)

select * from renamed
