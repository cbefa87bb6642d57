{#- unique and not_null in one query: each row has a key, and no other row has it. One test node
    instead of two on every model keyed by its landed row (a dbt node costs ~30 ms to run). -#}
{% test primary_key(model, column_name) %}

select
    {{ column_name }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ column_name }}
having count(*) > 1 or {{ column_name }} is null

{% endtest %}
