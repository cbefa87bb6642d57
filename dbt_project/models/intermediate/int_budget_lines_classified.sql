-- Every landed budget line row, classified clean / duplicate / quarantined.

with

budget_lines as (

    select * from {{ ref('stg_budget__lines') }}

),

budget_lines_checked as (

    select
        *,
        cast(null as varchar) as department_code
    from budget_lines

),

budget_lines_classified as (

    {{ classify_landed_rows(
        'budget_lines_checked',
        key_columns=['budget_category'],
        key_column_zh='预算类别',
        rules=[
            {'code': 'negative_amount', 'column': '预算金额', 'when': 'budget_amount < 0'},
        ]
    ) }}

)

select * from budget_lines_classified
