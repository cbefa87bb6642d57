-- Every landed row ends up in exactly one place: rows read = clean + duplicate + quarantined,
-- per file. rows_read is counted from staging, the outcomes from the classification models.
select
    source,
    file_name,
    rows_read,
    rows_clean,
    rows_duplicate,
    rows_quarantined
from {{ ref('load_log') }}
where rows_read <> rows_clean + rows_duplicate + rows_quarantined
