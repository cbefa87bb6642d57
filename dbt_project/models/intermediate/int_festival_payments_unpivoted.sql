-- The year's festival payments, long: one row per member and festival with an amount
-- (a blank cell means nothing was paid), from the clean festival rows.

with

festival_payments as (

    select * from {{ ref('int_festival_payments_classified') }}
    where row_status = 'clean'

),

festivals as (

    select * from {{ ref('festivals') }}

),

unpivoted as (

    select
        landed_row_id,
        staff_id,
        department_code,
        festival_key,
        amount,
        source_name,
        file_name,
        file_sha256,
        sheet_name,
        row_number,
    from festival_payments
    unpivot (
        amount for festival_key in (
            new_years_day,
            spring_festival,
            qingming,
            labour_day,
            dragon_boat,
            mid_autumn,
            national_day
        )
    )

),

joined as (

    select
        md5(to_json([unpivoted.landed_row_id, unpivoted.festival_key])) as festival_payment_id,
        unpivoted.landed_row_id,
        unpivoted.staff_id,
        unpivoted.department_code,
        unpivoted.festival_key,
        festivals.festival_zh,
        festivals.festival_order,
        festivals.festival_month,
        unpivoted.amount,
        unpivoted.source_name,
        unpivoted.file_name,
        unpivoted.file_sha256,
        unpivoted.sheet_name,
        unpivoted.row_number,
    from unpivoted
    left join festivals
        on unpivoted.festival_key = festivals.festival_key

)

select * from joined
