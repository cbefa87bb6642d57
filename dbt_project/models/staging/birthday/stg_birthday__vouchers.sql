{%- set contract_columns = [
    'staff_id',
    'member_name',
    'department_name',
    'birth_month',
    'amount',
    'received_on',
] -%}

with

source as (

    select * from {{ source('birthday', 'birthday_vouchers') }}

),

renamed as (

    select
        {{ landed_row_id() }} as landed_row_id,
        {{ contract_columns | join(',\n        ') }},
        received_on_precision,
        {{ contract_values_hash(contract_columns) }} as contract_values_hash,
        {{ lineage_columns('birthday_vouchers') }}
    from source

)

select * from renamed
