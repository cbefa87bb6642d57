{#- Custom schemas are used as they are (staging, intermediate, marts, audit, seeds), not prefixed
    with the target schema: the warehouse has one layout whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
