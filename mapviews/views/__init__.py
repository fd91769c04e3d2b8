"""Pages: parse the request, call a selector or chart builder, render."""
