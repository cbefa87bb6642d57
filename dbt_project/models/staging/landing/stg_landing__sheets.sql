with

source as (

    select * from {{ source('landing', 'sheets') }}

),

renamed as (

    select
        source as source_name,
        file_name,
        sheet_name,
        table_name,
        status as sheet_status,
        header_row,
        data_rows
    from source

)

select * from renamed
