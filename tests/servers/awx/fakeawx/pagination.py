from rest_framework import pagination
from rest_framework.utils.urls import replace_query_param


class Pagination(pagination.PageNumberPagination):
    """awx/api/pagination.py: 25 a page, `page_size` up to 200, and `next`/`previous`
    as server-relative links such as `/api/v2/tokens/?page=2`."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_next_link(self):
        if not self.page.has_next():
            return None
        return replace_query_param(self.request.get_full_path(), self.page_query_param, self.page.next_page_number())

    def get_previous_link(self):
        if not self.page.has_previous():
            return None
        return replace_query_param(
            self.request.get_full_path(), self.page_query_param, self.page.previous_page_number()
        )
