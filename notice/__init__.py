"""The task-force notice (专案组组成通知): one staffed case's team as a printable page."""

from notice.page import NoticeError, notice_html

__all__ = ["NoticeError", "notice_html"]
