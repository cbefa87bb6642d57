with

source as (

    select * from {{ source('landing', 'files') }}

),

renamed as (

    select
        source as source_name,
        file_name,
        file_sha256,
        status as file_status,
        error_code,
        message_zh,
        message_en,
        export_date,
        file_bytes
    from source

)

select * from renamed
