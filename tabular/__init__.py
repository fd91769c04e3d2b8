"""Reading uploaded tables (CSV/XLSX) and reporting their defects: the floor below every
app. Stations, indicators and weight-file imports all read through ``tabular.reading``
and report with ``tabular.defects``; nothing here imports an app."""
