{%- set contract_columns = [
    'proposal_id',
    'congress',
    'congress_session',
    'title',
    'proposer_name',
    'submitted_on',
    'is_accepted',
    'lead_department_name',
    'co_department_names',
    'replied_on',
    'handling_status',
    'satisfaction',
] -%}

with

source as (

    select * from {{ source('proposals', 'proposals') }}

),

renamed as (

    select
        {{ landed_row_id() }} as landed_row_id,
        {{ contract_columns | join(',\n        ') }},
        {{ contract_values_hash(contract_columns) }} as contract_values_hash,
        {{ lineage_columns('proposals', has_export_date=true) }}
    from source

)

select * from renamed
