{#- Where DuckDB and PostgreSQL spell the same thing differently, the models call one of these
    macros: `default__` is DuckDB's spelling (the embedded warehouse), `postgres__` PostgreSQL's
    (the federation server). Both give the same values, so the models, their tests and the figures
    are one code base for the two engines. dbt's own cross-database macros (dbt.last_day …) are
    used where one exists. -#}


{#- The JSON text of a list of scalar values (["a","b","3"]), spelled alike on both engines: it
    is hashed into row ids, which then agree between engines. -#}
{% macro json_text_list(expressions) -%}
    {{ return(adapter.dispatch('json_text_list', 'union_warehouse')(expressions)) }}
{%- endmacro %}

{% macro default__json_text_list(expressions) -%}
    cast(to_json([{{ expressions | join(', ') }}]) as varchar)
{%- endmacro %}

{% macro postgres__json_text_list(expressions) -%}
    (
        '['
        {%- for expression in expressions %}
        || coalesce(to_json({{ expression }})::text, 'null'){{ " || ','" if not loop.last }}
        {%- endfor %}
        || ']'
    )
{%- endmacro %}


{#- Text split on a separator, as a list (an array in PostgreSQL). -#}
{% macro split_text(expression, separator) -%}
    {{ return(adapter.dispatch('split_text', 'union_warehouse')(expression, separator)) }}
{%- endmacro %}

{% macro default__split_text(expression, separator) -%}
    string_split({{ expression }}, '{{ separator }}')
{%- endmacro %}

{% macro postgres__split_text(expression, separator) -%}
    string_to_array({{ expression }}, '{{ separator }}')
{%- endmacro %}


{#- Whether a list holds a value. -#}
{% macro list_has(list_expression, value) -%}
    {{ return(adapter.dispatch('list_has', 'union_warehouse')(list_expression, value)) }}
{%- endmacro %}

{% macro default__list_has(list_expression, value) -%}
    list_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{% macro postgres__list_has(list_expression, value) -%}
    ({{ value }} = any({{ list_expression }}))
{%- endmacro %}


{#- The year and the month of a date, as BIGINT on both engines (DuckDB's year() and month()). -#}
{% macro year_of(expression) -%}
    {{ return(adapter.dispatch('year_of', 'union_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__year_of(expression) -%}
    year({{ expression }})
{%- endmacro %}

{% macro postgres__year_of(expression) -%}
    cast(extract(year from {{ expression }}) as bigint)
{%- endmacro %}

{% macro month_of(expression) -%}
    {{ return(adapter.dispatch('month_of', 'union_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__month_of(expression) -%}
    month({{ expression }})
{%- endmacro %}

{% macro postgres__month_of(expression) -%}
    cast(extract(month from {{ expression }}) as bigint)
{%- endmacro %}


{#- One row per month start from the month of `start` to the month of `stop` (timestamps), as a
    select-list expression: DuckDB's generate_series returns a list to unnest, PostgreSQL's is a
    set-returning function already. -#}
{% macro month_starts(start, stop) -%}
    {{ return(adapter.dispatch('month_starts', 'union_warehouse')(start, stop)) }}
{%- endmacro %}

{% macro default__month_starts(start, stop) -%}
    unnest(generate_series({{ start }}, {{ stop }}, interval '1 month'))
{%- endmacro %}

{% macro postgres__month_starts(start, stop) -%}
    generate_series({{ start }}, {{ stop }}, interval '1 month')
{%- endmacro %}


{#- dbt-postgres reads a column's type from information_schema.columns.data_type, which says
    `ARRAY` for every array column: a unit test's fixture then casts to `ARRAY`, which is no type
    (dbt-labs/dbt-adapters#939, open). This is dbt-postgres 1.11's macro with the element type
    spelled out (`_varchar` -> `varchar[]`); the root project's version wins dbt's dispatch. -#}
{% macro postgres__get_columns_in_relation(relation) -%}
  {% call statement('get_columns_in_relation', fetch_result=True) %}
      select
          column_name,
          case
              when data_type = 'ARRAY' then substr(udt_name, 2) || '[]'
              else data_type
          end as data_type,
          character_maximum_length,
          numeric_precision,
          numeric_scale
      from {{ relation.information_schema('columns') }}
      where table_name = '{{ relation.identifier }}'
        {% if relation.schema %}
        and table_schema = '{{ relation.schema }}'
        {% endif %}
      order by ordinal_position
  {% endcall %}
  {% set table = load_result('get_columns_in_relation').table %}
  {{ return(sql_convert_columns_in_relation(table)) }}
{% endmacro %}


{#- numerator / denominator rounded to `digits` decimals, null when the denominator is 0. DuckDB
    divides integers and decimals as doubles; PostgreSQL divides integers as integers (2 / 4 = 0),
    so it is given doubles too, then rounds the quotient as a numeric (it has no round(double, n)). -#}
{% macro rounded_ratio(numerator, denominator, digits) -%}
    {{ return(adapter.dispatch('rounded_ratio', 'union_warehouse')(numerator, denominator, digits)) }}
{%- endmacro %}

{% macro default__rounded_ratio(numerator, denominator, digits) -%}
    round({{ numerator }} / nullif({{ denominator }}, 0), {{ digits }})
{%- endmacro %}

{% macro postgres__rounded_ratio(numerator, denominator, digits) -%}
    round(
        cast(cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0) as numeric),
        {{ digits }}
    )
{%- endmacro %}
