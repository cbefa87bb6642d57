-- Every landed poverty-alleviation purchase row, classified clean / duplicate / quarantined.
-- No natural key: only exact duplicates. The county must be known; the date inside the year.

with

purchases as (

    select * from {{ ref('stg_alleviation__purchases') }}

),

county_names as (

    select * from {{ ref('int_county_names_unioned') }}

),

purchases_checked as (

    select
        purchases.*,
        county_names.county_code,
        cast(null as varchar) as department_code,
        {{ year_of('purchases.purchased_on') }} = {{ var('year') }} as is_in_year
    from purchases
    left join county_names
        on purchases.county_name = county_names.county_name_written

),

purchases_classified as (

    {{ classify_landed_rows(
        'purchases_checked',
        rules=[
            {'code': 'unknown_county', 'column': '帮扶县', 'when': 'county_code is null'},
            {'code': 'negative_amount', 'column': '金额', 'when': 'amount < 0'},
            {'code': 'negative_amount', 'column': '单价', 'when': 'unit_price < 0'},
            {'code': 'date_outside_year', 'column': '采购日期', 'when': 'not is_in_year'},
        ]
    ) }}

)

select * from purchases_classified
