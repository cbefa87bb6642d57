-- How far the year's proposals have been handled, per congress and lead (承办) department, plus a
-- total row per congress (department_code 'ALL'), as of the latest export of the year.
-- Handling counts (completed, in progress, not started) and the rates are over accepted
-- proposals: only accepted (立案) proposals are handled.

with

proposals as (

    select * from {{ ref('int_proposal_snapshots_collapsed') }}

),

departments as (

    select * from {{ ref('departments') }}

),

aggregated as (

    select
        congress,
        case
            when grouping(lead_department_code) = 1 then 'ALL' else lead_department_code
        end as department_code,
        count(*) as submitted,
        count(*) filter (where is_accepted) as accepted,
        count(*) filter (where is_accepted and handling_status = 'completed') as completed,
        count(*) filter (where is_accepted and handling_status = 'in_progress') as in_progress,
        count(*) filter (where is_accepted and handling_status = 'not_started') as not_started,
        -- the median, spelled as the ordered-set aggregate both engines know
        percentile_cont(0.5) within group (order by days_to_reply) filter (where is_accepted)
            as median_days_to_reply,
        count(satisfaction) filter (where is_accepted) as answered,
        count(*) filter (where is_accepted and satisfaction = 'satisfied') as satisfied,
        count(*) filter (where is_accepted and satisfaction = 'fairly_satisfied')
            as fairly_satisfied,
        count(*) filter (where is_accepted and satisfaction = 'dissatisfied') as dissatisfied,
        count(*) filter (where is_carried_forward) as carried_forward,
        max(latest_export_date) as as_of_export_date
    from proposals
    group by grouping sets ((congress, lead_department_code), (congress))  -- noqa: PRS

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        aggregated.congress,
        aggregated.department_code,
        case
            when aggregated.department_code = 'ALL' then '全部承办部门'
            when aggregated.department_code is null then '未指定承办部门'
            else departments.department_name
        end as department_name,
        cast(aggregated.submitted as integer) as submitted,
        cast(aggregated.accepted as integer) as accepted,
        cast(aggregated.completed as integer) as completed,
        cast(aggregated.in_progress as integer) as in_progress,
        cast(aggregated.not_started as integer) as not_started,
        cast({{ rounded_ratio('aggregated.completed', 'aggregated.accepted', 4) }} as decimal(9, 4))
            as completion_rate,
        cast(aggregated.median_days_to_reply as decimal(9, 1)) as median_days_to_reply,
        cast({{ rounded_ratio('aggregated.satisfied', 'aggregated.answered', 4) }} as decimal(9, 4))
            as satisfied_share,
        cast(
            {{ rounded_ratio('aggregated.fairly_satisfied', 'aggregated.answered', 4) }}
            as decimal(9, 4)
        ) as fairly_satisfied_share,
        cast(
            {{ rounded_ratio('aggregated.dissatisfied', 'aggregated.answered', 4) }}
            as decimal(9, 4)
        ) as dissatisfied_share,
        cast(aggregated.carried_forward as integer) as carried_forward,
        aggregated.as_of_export_date
    from aggregated
    left join departments
        on aggregated.department_code = departments.department_code
    order by aggregated.congress, aggregated.department_code = 'ALL', aggregated.department_code

)

select * from final
