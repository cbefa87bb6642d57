{%- set contract_columns = [
    'county_name',
    'target_amount',
] -%}

with

source as (

    select * from {{ source('alleviation', 'alleviation_targets') }}

),

renamed as (

    select
        {{ landed_row_id() }} as landed_row_id,
        {{ contract_columns | join(',\n        ') }},
        {{ contract_values_hash(contract_columns) }} as contract_values_hash,
        {{ lineage_columns('alleviation_targets') }}
    from source

)

select * from renamed
