{#- A check on audit.quarantine in Dagster (the relation that keeps the departments' cells): the
    query reads only information_schema, so the dependency is declared here. -#}
-- depends_on: {{ ref('quarantine') }}
-- Personal data (身份证号, 手机号) may be in raw and staging only: no other relation of the build
-- has a column of that name.
select
    table_schema,
    table_name,
    column_name
from information_schema.columns
where
    column_name in ('id_card_number', 'mobile_number')
    and table_schema not in ('raw', 'staging')
