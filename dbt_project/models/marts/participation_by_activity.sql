-- One row per activity of the year (活动名称, 活动日期, 活动类别) with its participants.

with

participations as (

    select * from {{ ref('int_activity_participations_cleaned') }}

),

aggregated as (

    select
        activity_id,
        activity_name,
        activity_date,
        activity_category,
        count(distinct staff_id) as participants,
        count(distinct department_code) as departments,
        count(*) as participations
    from participations
    group by activity_id, activity_name, activity_date, activity_category

),

final as (

    select
        cast({{ var('year') }} as integer) as year,
        activity_id,
        activity_name,
        activity_date,
        activity_category,
        cast(participants as integer) as participants,
        cast(departments as integer) as departments,
        cast(participations as integer) as participations
    from aggregated
    order by activity_date, activity_name

)

select * from final
