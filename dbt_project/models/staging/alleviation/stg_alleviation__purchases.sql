{%- set contract_columns = [
    'purchased_on',
    'county_name',
    'township_name',
    'supplier_name',
    'product_name',
    'quantity',
    'quantity_unit',
    'unit_price',
    'amount',
] -%}

with

source as (

    select * from {{ source('alleviation', 'alleviation_purchases') }}

),

renamed as (

    select
        {{ landed_row_id() }} as landed_row_id,
        {{ contract_columns | join(',\n        ') }},
        purchased_on_precision,
        {{ contract_values_hash(contract_columns) }} as contract_values_hash,
        {{ lineage_columns('alleviation_purchases') }}
    from source

)

select * from renamed
