with

source as (

    select * from {{ source('landing', 'load_warnings') }}

),

renamed as (

    select
        source as source_name,
        file_name,
        sheet_name,
        row_number,
        column_name,
        warning_code,
        message_zh,
        message_en
    from source

)

select * from renamed
