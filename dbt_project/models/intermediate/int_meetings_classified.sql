-- Every landed meeting row, classified clean / duplicate / quarantined.

with

meetings as (

    select * from {{ ref('stg_meetings__meetings') }}

),

meetings_checked as (

    select
        *,
        cast(null as varchar) as department_code,
        {{ year_of('meeting_date') }} = {{ var('year') }} as is_in_year
    from meetings

),

meetings_classified as (

    {{ classify_landed_rows(
        'meetings_checked',
        key_columns=['meeting_date', 'meeting_type', 'meeting_name'],
        key_column_zh='会议日期、会议类型、会议名称',
        rules=[
            {'code': 'date_outside_year', 'column': '会议日期', 'when': 'not is_in_year'},
        ]
    ) }}

)

select * from meetings_classified
