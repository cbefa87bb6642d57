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

{#- one select per festival column (an UNPIVOT that both engines read; blank cells drop out, as
    UNPIVOT drops NULLs) -#}
{%- set festival_columns = [
    'new_years_day',
    'spring_festival',
    'qingming',
    'labour_day',
    'dragon_boat',
    'mid_autumn',
    'national_day',
] %}

unpivoted as (
    {%- for festival_column in festival_columns %}

    select
        landed_row_id,
        staff_id,
        department_code,
        '{{ festival_column }}' as festival_key,
        {{ festival_column }} as amount,
        source_name,
        file_name,
        file_sha256,
        sheet_name,
        row_number
    from festival_payments
    where {{ festival_column }} is not null
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

joined as (

    select
        md5({{ json_text_list(['unpivoted.landed_row_id', 'unpivoted.festival_key']) }})
            as festival_payment_id,
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
        unpivoted.row_number
    from unpivoted
    left join festivals
        on unpivoted.festival_key = festivals.festival_key

)

select * from joined
