-- The year's poverty-alleviation purchases: clean rows, with their county.

with

purchases as (

    select * from {{ ref('int_alleviation_purchases_classified') }}
    where row_status = 'clean'

),

cleaned as (

    select
        landed_row_id,
        county_code,
        county_name as county_name_written,
        township_name,
        supplier_name,
        product_name,
        quantity_unit,
        purchased_on,
        purchased_on_precision,
        quantity,
        unit_price,
        amount,
        source_name,
        file_name,
        file_sha256,
        sheet_name,
        row_number
    from purchases

)

select * from cleaned
