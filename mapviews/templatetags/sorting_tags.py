from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def sort_th(sort, key: str, label: str, css: str = "", descending_first: bool = False):
    """A column header that sorts the table by ``key`` (server-side, works without JS)."""
    if sort.key == key:
        state = "descending" if sort.descending else "ascending"
        arrow = "▼" if sort.descending else "▲"
    else:
        state, arrow = "none", ""
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a href="{}">{}</a>'
        '<span class="sort-arrow" aria-hidden="true">{}</span></th>',
        css,
        state,
        sort.link(key, descending_first),
        label,
        arrow,
    )


@register.filter
def page_link(sort, number: int) -> str:
    return sort.page_link(number)
