{%- set contract_columns = [
    'meeting_date',
    'meeting_type',
    'meeting_name',
    'documents_reviewed',
] -%}

with

source as (

    select * from {{ source('meetings', 'meetings') }}

),

renamed as (

    select
        {{ landed_row_id() }} as landed_row_id,
        {{ contract_columns | join(',\n        ') }},
        {{ contract_values_hash(contract_columns) }} as contract_values_hash,
        {{ lineage_columns('meetings') }}
    from source

)

select * from renamed
