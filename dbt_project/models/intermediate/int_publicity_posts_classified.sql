-- Every landed publicity post row, classified clean / duplicate / quarantined.

with

posts as (

    select * from {{ ref('stg_publicity__posts') }}

),

posts_checked as (

    select
        *,
        cast(null as varchar) as department_code,
        {{ year_of('published_on') }} = {{ var('year') }} as is_in_year
    from posts

),

posts_classified as (

    {{ classify_landed_rows(
        'posts_checked',
        key_columns=['channel', 'title', 'published_on'],
        key_column_zh='渠道、标题、发布日期',
        rules=[
            {'code': 'date_outside_year', 'column': '发布日期', 'when': 'not is_in_year'},
        ]
    ) }}

)

select * from posts_classified
