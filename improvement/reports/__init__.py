"""The monthly bulletin as words and tables in the viewer's language (``text``), and as
an Excel workbook (``xlsx``) and a PDF (``pdf``)."""
