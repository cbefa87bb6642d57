{#- union all of the same columns from several models (the audit tables read every source alike). -#}
{% macro union_models(model_names, columns, where=none) -%}
    {%- for model_name in model_names %}
    select
        {{ columns | join(',\n        ') }}
    from {{ ref(model_name) }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
