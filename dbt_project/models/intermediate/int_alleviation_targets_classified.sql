-- Every landed 帮扶任务 row (the year's purchase target per county), classified
-- clean / duplicate / quarantined. The natural key is the county, and 城口 / 城口县 are the same
-- county: rows are compared on the county they mean, not on its spelling.

with

targets as (

    select * from {{ ref('stg_alleviation__targets') }}

),

county_names as (

    select * from {{ ref('int_county_names_unioned') }}

),

targets_checked as (

    select
        targets.*,
        county_names.county_code,
        -- the county meant, or the name as written when it is no known county
        coalesce(county_names.county_code, targets.county_name) as county_key,
        cast(null as varchar) as department_code,
        {{ contract_values_hash({
            'county': 'coalesce(county_names.county_code, targets.county_name)',
            'target_amount': 'targets.target_amount',
        }) }} as county_values_hash
    from targets
    left join county_names
        on targets.county_name = county_names.county_name_written

),

targets_classified as (

    {{ classify_landed_rows(
        'targets_checked',
        key_columns=['county_key'],
        key_column_zh='帮扶县',
        values_hash='county_values_hash',
        rules=[
            {'code': 'unknown_county', 'column': '帮扶县', 'when': 'county_code is null'},
            {'code': 'negative_amount', 'column': '任务金额', 'when': 'target_amount < 0'},
        ]
    ) }}

)

select * from targets_classified
