-- Every way a county may be written (城口 / 城口县 …), with the county it means.

with

counties as (

    select * from {{ ref('counties') }}

),

names_and_aliases as (

    select
        county_code,
        county_name as county_name_written
    from counties

    union all

    select
        county_code,
        unnest({{ split_text('aliases', '|') }}) as county_name_written
    from counties
    where aliases is not null

)

select * from names_and_aliases
