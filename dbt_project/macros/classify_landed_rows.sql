{#- Sorts every landed row of one table into exactly one of clean, duplicate, quarantined.

    The first reason that applies wins, in this order:
    1. a parse error from the landing (error_code): quarantined with that code;
    2. the same contract values as an earlier row (order: file name, sheet name, row number) within
       the same partition (proposals: the same export): duplicate, the earliest row stays;
    3. the same natural key as another row (of the same partition) with other values: every such row
       is quarantined as conflicting_duplicate (a row with a parse error counts as "other values",
       so the rows next to it are held too, but it keeps its own parse error);
    4. the table's own rules, in the order given: quarantined with the rule's code.

    relation: the CTE holding landed_row_id, contract_values_hash, error_code, error_column and
        the lineage columns, plus whatever the rules read.
    rules: [{'code': ..., 'column': <Chinese column name>, 'when': <SQL condition>}, ...]
    key_columns: the natural key (contract.yml `key`); [] means no conflicts, only duplicates.
    key_column_zh: the key's Chinese column names, reported for conflicts.
    partition_by: columns inside which duplicates and conflicts are looked for (default: all rows).
    values_hash: the column holding the row's contract values as one hash (default: staging's).

    The output is every column of `relation`, then reason_code, reason_column and row_status. The
    helper columns (ranks, comparison values) are computed in a subquery joined back on
    landed_row_id, so no engine-specific `* exclude (…)` is needed to leave them out. -#}

{% macro classify_landed_rows(
    relation, rules, key_columns=[], key_column_zh=none, partition_by=[],
    values_hash='contract_values_hash'
) -%}
    {%- set partition_prefix -%}
        {%- for column in partition_by %}{{ column }}, {% endfor -%}
    {%- endset -%}
    {%- set has_key = key_columns | length > 0 %}
    select
        {{ relation }}.*,
        reasoned.reason_code,
        reasoned.reason_column,
        case
            when reasoned.reason_code is null then 'clean'
            when reasoned.reason_code = 'duplicate' then 'duplicate'
            else 'quarantined'
        end as row_status
    from {{ relation }}
    inner join (
        select
            landed_row_id,
            case
                when error_code is not null then error_code
                when duplicate_rank > 1 then 'duplicate'
                {%- if has_key %}
                when has_conflicting_key then 'conflicting_duplicate'
                {%- endif %}
                {%- for rule in rules %}
                when {{ rule.when }} then '{{ rule.code }}'
                {%- endfor %}
            end as reason_code,
            case
                when error_code is not null then error_column
                when duplicate_rank > 1 then null
                {%- if has_key %}
                when has_conflicting_key then '{{ key_column_zh }}'
                {%- endif %}
                {%- for rule in rules %}
                when {{ rule.when }} then '{{ rule.column }}'
                {%- endfor %}
            end as reason_column
        from (
            select
                *,
                row_number() over (
                    partition by {{ partition_prefix }}comparison_value
                    order by file_name, sheet_name, row_number
                ) as duplicate_rank
                {%- if has_key %},
                -- a blank key part is a value like any other (a meeting without a name)
                min(comparison_value) over (
                    partition by {{ partition_prefix }}{{ key_columns | join(', ') }}
                ) <> max(comparison_value) over (
                    partition by {{ partition_prefix }}{{ key_columns | join(', ') }}
                ) as has_conflicting_key
                {%- endif %}
            from (
                select
                    *,
                    -- a row with a parse error equals no other row
                    case
                        when error_code is null then {{ values_hash }}
                        else landed_row_id
                    end as comparison_value
                from {{ relation }}
            ) as compared
        ) as ranked
    ) as reasoned
        on {{ relation }}.landed_row_id = reasoned.landed_row_id
{%- endmacro %}
