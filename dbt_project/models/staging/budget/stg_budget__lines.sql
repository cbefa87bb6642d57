{%- set contract_columns = [
    'budget_category',
    'budget_amount',
] -%}

with

source as (

    select * from {{ source('budget', 'budget_lines') }}

),

renamed as (

    select
        {{ landed_row_id() }} as landed_row_id,
        {{ contract_columns | join(',\n        ') }},
        {{ contract_values_hash(contract_columns) }} as contract_values_hash,
        {{ lineage_columns('budget_lines') }}
    from source

)

select * from renamed
