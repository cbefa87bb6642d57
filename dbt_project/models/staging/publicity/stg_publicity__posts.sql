{%- set contract_columns = [
    'published_on',
    'channel',
    'title',
    'url',
] -%}

with

source as (

    select * from {{ source('publicity', 'publicity_posts') }}

),

renamed as (

    select
        {{ landed_row_id() }} as landed_row_id,
        {{ contract_columns | join(',\n        ') }},
        {{ contract_values_hash(contract_columns) }} as contract_values_hash,
        {{ lineage_columns('publicity_posts') }}
    from source

)

select * from renamed
