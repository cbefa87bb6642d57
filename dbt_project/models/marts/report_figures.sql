-- One row per figure of the annual work summary (figure_definitions seed) and year. Every figure is
-- computed the same way from int_figure_facts_unioned: the definition picks the facts (source,
-- subjects, detail) and the measure says how they add up. No figure value is written here.

with

definitions as (

    select * from {{ ref('figure_definitions') }}

),

facts as (

    select * from {{ ref('int_figure_facts_unioned') }}

),

matched as (

    select
        definitions.figure_key,
        definitions.measure,
        facts.staff_id,
        facts.event_key,
        facts.measure_value,
        facts.target_value,
        facts.landed_row_id,
        facts.file_sha256
    from definitions
    left join facts
        on
            definitions.fact_source = facts.fact_source
            and (
                definitions.subjects is null
                or {{ list_has(split_text('definitions.subjects', '|'), 'facts.subject') }}
            )
            and (definitions.detail_like is null or facts.detail like definitions.detail_like)

),

computed as (

    select
        figure_key,
        case measure
            -- distinct staff ids, plus one for each row without a staff id (family members)
            when 'people'
                then
                    count(distinct staff_id)
                    + count(landed_row_id) filter (where staff_id is null)
            when 'sum' then coalesce(sum(measure_value), 0)
            when 'rows' then count(landed_row_id)
            when 'distinct_events' then count(distinct event_key)
            when 'sum_minus_target' then
                case
                    when count(target_value) > 0
                        then coalesce(sum(measure_value), 0) - sum(target_value)
                end
        end as value,
        count(distinct landed_row_id) as source_rows,
        string_agg(distinct file_sha256, ';' order by file_sha256) as sources
    from matched
    group by figure_key, measure

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        definitions.figure_key,
        definitions.section,
        definitions.label_zh,
        cast(computed.value as decimal(18, 2)) as value,
        definitions.unit,
        {{ display_zh('cast(computed.value as decimal(18, 2))', 'definitions.display_unit') }}
            as display_zh,
        cast(computed.source_rows as integer) as source_rows,
        computed.sources
    from definitions
    inner join computed
        on definitions.figure_key = computed.figure_key
    order by definitions.figure_order

)

select * from final
