-- Every way a department may be written (its name and each |-separated alias of the seed),
-- normalized, with the department it means.

with

departments as (

    select * from {{ ref('departments') }}

),

names_and_aliases as (

    select
        department_code,
        department_name as department_name_written,
        true as is_official_name
    from departments

    union all

    select
        department_code,
        unnest({{ split_text('aliases', '|') }}) as department_name_written,
        false as is_official_name
    from departments
    where aliases is not null

),

normalized as (

    select
        {{ normalize_department_name('department_name_written') }} as department_name_normalized,
        department_code,
        department_name_written,
        is_official_name
    from names_and_aliases

)

select * from normalized
