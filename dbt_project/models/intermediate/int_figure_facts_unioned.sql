-- The clean rows every report figure is computed from, in one shape, so that report_figures can
-- compute every figure_definitions row with the same SQL:
--   fact_source  which source the row is from (figure_definitions.fact_source)
--   subject      what figure_definitions.subjects filters on (category, county, channel, type …)
--   detail       what figure_definitions.detail_like filters on (product; accepted or not)
--   staff_id     for people counts; event_key for distinct events
--   measure_value / target_value   what sums add up

with

welfare_payments as (

    select * from {{ ref('int_welfare_payments_cleaned') }}

),

festival_payments as (

    select * from {{ ref('int_festival_payments_unpivoted') }}

),

birthday_vouchers as (

    select * from {{ ref('int_birthday_vouchers_cleaned') }}

),

purchases as (

    select * from {{ ref('int_alleviation_purchases_cleaned') }}

),

targets as (

    select * from {{ ref('int_alleviation_targets_cleaned') }}

),

proposals as (

    select * from {{ ref('int_proposal_snapshots_collapsed') }}

),

posts as (

    select * from {{ ref('int_publicity_posts_cleaned') }}

),

participations as (

    select * from {{ ref('int_activity_participations_cleaned') }}

),

meetings as (

    select * from {{ ref('int_meetings_cleaned') }}

),

facts as (

    select
        'welfare' as fact_source,
        welfare_category as subject,
        cast(null as varchar) as detail,
        staff_id,
        landed_row_id as event_key,
        amount as measure_value,
        cast(null as decimal(18, 2)) as target_value,
        landed_row_id,
        file_sha256
    from welfare_payments

    union all

    select
        'festival',
        festival_key,
        null,
        staff_id,
        festival_payment_id,
        amount,
        null,
        landed_row_id,
        file_sha256
    from festival_payments

    union all

    select
        'birthday',
        'birthday',
        null,
        staff_id,
        landed_row_id,
        amount,
        null,
        landed_row_id,
        file_sha256
    from birthday_vouchers

    union all

    select
        'alleviation',
        county_code,
        product_name,
        null,
        landed_row_id,
        amount,
        null,
        landed_row_id,
        file_sha256
    from purchases

    union all

    select
        'alleviation',
        county_code,
        null,
        null,
        landed_row_id,
        null,
        target_amount,
        landed_row_id,
        file_sha256
    from targets

    union all

    select
        'proposals',
        congress,
        case when is_accepted then 'accepted' else 'not_accepted' end,
        null,
        proposal_id,
        null,
        null,
        landed_row_id,
        file_sha256
    from proposals

    union all

    select
        'publicity',
        channel,
        null,
        null,
        landed_row_id,
        null,
        null,
        landed_row_id,
        file_sha256
    from posts

    union all

    select
        'activities',
        activity_category,
        null,
        staff_id,
        {{ json_text_list(['activity_name', 'cast(activity_date as varchar)']) }},
        null,
        null,
        landed_row_id,
        file_sha256
    from participations

    union all

    select
        'meetings',
        meeting_type,
        null,
        null,
        landed_row_id,
        documents_reviewed,
        null,
        landed_row_id,
        file_sha256
    from meetings

)

select * from facts
