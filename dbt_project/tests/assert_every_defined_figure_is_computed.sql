{{ config(meta={'dagster': {'ref': {'name': 'report_figures'}}}) }}
-- Every figure the summary quotes (seed figure_definitions) has its row in report_figures: a figure
-- definition that no SQL computes fails the build instead of leaving a hole in the report.
select definitions.figure_key
from {{ ref('figure_definitions') }} as definitions
left join {{ ref('report_figures') }} as figures
    on definitions.figure_key = figures.figure_key
where figures.figure_key is null
