-- Every figure of every university and published year side by side: one row per university, year
-- and figure, with what the federation compares it with: the same figure of the other universities
-- that year (how many published it, their total, smallest, median and largest value, where this
-- university ranks) and of this university's previous published year.

with

figures as (

    select * from {{ source('federation', 'report_figures') }}

),

compared as (

    select
        university,
        year,
        figure_key,
        section,
        label_zh,
        unit,
        value,
        display_zh,
        count(value) over same_figure_and_year as universities_reporting,
        -- a total of percentages means nothing
        case
            when unit <> '%' then sum(value) over same_figure_and_year
        end as federation_total,
        min(value) over same_figure_and_year as federation_min,
        max(value) over same_figure_and_year as federation_max,
        case
            when value is not null then rank() over ranked_in_year
        end as rank_in_year,
        lag(year) over same_university as previous_year,
        lag(value) over same_university as previous_year_value
    from figures
    window
        same_figure_and_year as (partition by figure_key, year),
        ranked_in_year as (partition by figure_key, year, value is null order by value desc),
        same_university as (partition by university, figure_key order by year)

),

medians as (

    select
        figure_key,
        year,
        percentile_cont(0.5) within group (order by value) as federation_median
    from figures
    group by figure_key, year

),

final as (

    select
        compared.university,
        compared.year,
        compared.figure_key,
        compared.section,
        compared.label_zh,
        compared.unit,
        compared.value,
        compared.display_zh,
        cast(compared.universities_reporting as integer) as universities_reporting,
        cast(compared.federation_total as decimal(18, 2)) as federation_total,
        cast(compared.federation_min as decimal(18, 2)) as federation_min,
        cast(medians.federation_median as decimal(18, 2)) as federation_median,
        cast(compared.federation_max as decimal(18, 2)) as federation_max,
        cast(compared.rank_in_year as integer) as rank_in_year,
        cast(compared.previous_year as integer) as previous_year,
        cast(compared.previous_year_value as decimal(18, 2)) as previous_year_value,
        cast(compared.value - compared.previous_year_value as decimal(18, 2)) as change_from_previous_year
    from compared
    inner join medians
        on compared.figure_key = medians.figure_key
        and compared.year = medians.year

)

select * from final
