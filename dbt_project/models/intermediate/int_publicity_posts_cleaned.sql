-- The year's publicity posts: clean rows.

with

posts as (

    select * from {{ ref('int_publicity_posts_classified') }}
    where row_status = 'clean'

),

cleaned as (

    select
        landed_row_id,
        channel,
        title,
        url,
        published_on,
        source_name,
        file_name,
        file_sha256,
        sheet_name,
        row_number
    from posts

)

select * from cleaned
