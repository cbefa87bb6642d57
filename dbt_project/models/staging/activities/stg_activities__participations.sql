{%- set contract_columns = [
    'activity_name',
    'activity_category',
    'activity_date',
    'staff_id',
    'participant_name',
    'department_name',
    'participant_role',
    'result',
] -%}

with

source as (

    select * from {{ source('activities', 'activity_participations') }}

),

renamed as (

    select
        {{ landed_row_id() }} as landed_row_id,
        {{ contract_columns | join(',\n        ') }},
        {{ contract_values_hash(contract_columns) }} as contract_values_hash,
        {{ lineage_columns('activity_participations') }}
    from source

)

select * from renamed
