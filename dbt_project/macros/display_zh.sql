{#- How the report prints a figure.

    万元: the yuan value in units of 10,000 with up to four decimals and no trailing zeros
          (245600 -> 24.56万元, 4100 -> 0.41万元, 24518000 -> 2451.8万元). Exact decimals throughout:
          the value is multiplied by 0.0001 (decimal * decimal stays decimal; decimal / integer
          would be a double).
    元:   two decimals (245600.00元).
    %:    the value with its decimals, then %.
    other units (人 条 次 个): the value as an integer, then the unit (12人). -#}
{% macro display_zh(value, display_unit) -%}
    case
        when {{ value }} is null then null
        when {{ display_unit }} = '万元' then
            rtrim(rtrim(cast(cast(round({{ value }} * 0.0001, 4) as decimal(18, 4)) as varchar), '0'), '.')
            || '万元'
        when {{ display_unit }} = '元' then cast(cast({{ value }} as decimal(18, 2)) as varchar) || '元'
        when {{ display_unit }} = '%' then cast({{ value }} as varchar) || '%'
        else cast(cast({{ value }} as bigint) as varchar) || {{ display_unit }}
    end
{%- endmacro %}
