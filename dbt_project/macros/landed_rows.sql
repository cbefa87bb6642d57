{#- Columns every staging model over a landed raw.* table carries.

    Python lands every data row with the same lineage columns (docs/architecture.md); staging renames
    them once, here, and adds two keys computed from the row alone:
    - landed_row_id: the row's identity, from its file, sheet and row number (unique per build);
    - contract_values_hash: the row's contract columns as one value, so that "two rows whose contract
      columns are equal" (lineage and _raw_values excluded) is a plain equality. -#}

{% macro landed_row_id() -%}
    md5({{ json_text_list(['_file_name', '_sheet_name', 'cast(_row_number as varchar)']) }})
{%- endmacro %}


{#- columns: the contract column names, or a mapping name -> expression (a value computed from
    the row). Equal values give equal hashes within one engine; the text hashed differs between
    engines (their JSON spells numbers and spaces differently), and nothing compares the two. -#}
{% macro contract_values_hash(columns) -%}
    {%- set pairs = columns.items() | list if columns is mapping else columns | map('string') | list -%}
    {{ return(adapter.dispatch('contract_values_hash', 'union_warehouse')(pairs)) }}
{%- endmacro %}

{% macro _hash_pair(item) -%}
    {%- if item is string -%}{{ return([item, item]) }}{%- else -%}{{ return([item[0], item[1]]) }}{%- endif -%}
{%- endmacro %}

{% macro default__contract_values_hash(pairs) -%}
    md5(to_json({ {%- for item in pairs %}{% set pair = _hash_pair(item) %}'{{ pair[0] }}': {{ pair[1] }}{{ ', ' if not loop.last }}{% endfor -%} }))
{%- endmacro %}

{% macro postgres__contract_values_hash(pairs) -%}
    md5(json_build_object({%- for item in pairs %}{% set pair = _hash_pair(item) %}'{{ pair[0] }}', {{ pair[1] }}{{ ', ' if not loop.last }}{% endfor -%})::text)
{%- endmacro %}


{% macro lineage_columns(table_name, has_export_date=false) -%}
    {%- if has_export_date %}
        _export_date as export_date,
    {%- endif %}
        _source as source_name,
        '{{ table_name }}' as table_name,
        _file_name as file_name,
        _file_sha256 as file_sha256,
        _sheet_name as sheet_name,
        _row_number as row_number,
        cast(_raw_values as json) as raw_values,
        _merged_from as merged_from,
        _error_code as error_code,
        _error_column as error_column
{%- endmacro %}
