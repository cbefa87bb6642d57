{%- set contract_columns = [
    'staff_id',
    'recipient_name',
    'department_name',
    'new_years_day',
    'spring_festival',
    'qingming',
    'labour_day',
    'dragon_boat',
    'mid_autumn',
    'national_day',
    'row_total',
] -%}

with

source as (

    select * from {{ source('festival', 'festival_payments') }}

),

renamed as (

    select
        {{ landed_row_id() }} as landed_row_id,
        {{ contract_columns | join(',\n        ') }},
        {{ contract_values_hash(contract_columns) }} as contract_values_hash,
        {{ lineage_columns('festival_payments') }}
    from source

)

select * from renamed
