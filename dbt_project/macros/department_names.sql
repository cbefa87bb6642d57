{#- The landed department names are already normalized (no spaces, half-width letters and digits);
    the seed's names and aliases are written by hand. Both sides of the mapping go through this so
    that spaces and bracket width never decide whether a name is known. -#}
{% macro normalize_department_name(expression) -%}
    nullif(
        replace(replace(regexp_replace({{ expression }}, '[\s\x{3000}]+', '', 'g'), '（', '('), '）', ')'),
        ''
    )
{%- endmacro %}
