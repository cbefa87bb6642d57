{#- The landed department names are already normalized (no spaces, half-width letters and digits);
    the seed's names and aliases are written by hand. Both sides of the mapping go through this so
    that spaces and bracket width never decide whether a name is known. chr(12288) is the
    full-width space U+3000, which \s does not cover (RE2 in DuckDB); chr() is one spelling for
    both engines. -#}
{% macro normalize_department_name(expression) -%}
    nullif(
        replace(replace(regexp_replace({{ expression }}, '[\s' || chr(12288) || ']+', '', 'g'), '（', '('), '）', ')'),
        ''
    )
{%- endmacro %}
