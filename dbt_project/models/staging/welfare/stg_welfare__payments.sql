{%- set contract_columns = [
    'paid_on',
    'staff_id',
    'recipient_name',
    'department_name',
    'welfare_category',
    'amount',
    'payment_form',
    'fiscal_year',
    'remark',
] -%}

with

source as (

    select * from {{ source('welfare', 'welfare_payments') }}

),

renamed as (

    select
        {{ landed_row_id() }} as landed_row_id,
        {{ contract_columns | join(',\n        ') }},
        {{ contract_values_hash(contract_columns) }} as contract_values_hash,
        {{ lineage_columns('welfare_payments') }}
    from source

)

select * from renamed
