"""Retention: free text is deleted after its period; answer codes stay."""

from __future__ import annotations

import datetime as dt

from survey.store.engine import write_transaction
from survey.store.tables import Comment

__all__ = ["delete_comments_before"]


async def delete_comments_before(day: dt.date) -> int:
    """Delete the comments submitted before `day`; how many there were."""
    async with write_transaction():
        count = await Comment.count().where(Comment.submitted_on < day).run()
        await Comment.delete().where(Comment.submitted_on < day).run()
    return count
