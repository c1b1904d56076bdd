"""The asyncio client's registry methods: versions, labels, render, analytics, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from promptcrafter.client import _registry as reg
from promptcrafter.client._endpoints import prompt_path
from promptcrafter.client._registry import DEFAULT_PAGE_SIZE, Page, Ref
from promptcrafter.client._types import Label, LabelChange, Log, Prompt, Rendered, Version

if TYPE_CHECKING:
    from promptcrafter.client._common import Call

T = TypeVar("T")


class AsyncRegistryMethods:
    """Mixed into ``AsyncPromptCrafterClient``, which provides ``_send``."""

    if TYPE_CHECKING:

        async def _send(self, call: Call[T]) -> T: ...

    # --- versions ------------------------------------------------------------------------------

    async def get_versions(self, prompt_id: str) -> list[Version]:
        """The prompt's whole history, newest first."""
        return await self._send(reg.get_versions(prompt_id))

    async def get_version(self, prompt_id: str, version: int) -> Version:
        return await self._send(reg.get_version(prompt_id, version))

    async def restore_version(
        self, prompt_id: str, version: int, commit_message: str | None = None
    ) -> Prompt:
        """Make a copy of ``version`` the current one (history is kept); returns the prompt."""
        return await self._send(reg.restore_version(prompt_id, version, commit_message))

    # --- labels --------------------------------------------------------------------------------

    async def set_label(self, prompt_id: str, name: str, version: int) -> Label:
        """Point label ``name`` at ``version``, creating or moving it."""
        return await self._send(reg.set_label(prompt_id, name, version))

    async def delete_label(self, prompt_id: str, name: str) -> None:
        await self._send(reg.delete_label(prompt_id, name))

    async def get_labels(self, prompt_id: str) -> list[Label]:
        return await self._send(reg.get_labels(prompt_id))

    async def get_label_history(self, prompt_id: str, name: str) -> list[LabelChange]:
        """Every change of the label, newest first (it outlives the label's deletion)."""
        return await self._send(reg.get_label_history(prompt_id, name))

    # --- render and analytics ------------------------------------------------------------------

    async def render(
        self,
        prompt_id: str,
        variables: Mapping[str, Any] | None = None,
        *,
        version: int | None = None,
        label: str | None = None,
        strict: bool = True,
    ) -> Rendered:
        """Fill the template's ``{{ variables }}``; with ``strict`` a missing one is an error."""
        return await self._send(reg.render(prompt_id, variables, version, label, strict))

    async def get_stats(
        self, prompt_id: str, by: str | Sequence[str] | None = None
    ) -> dict[str, Any]:
        """Score statistics per version and model (``by`` "version", "model" or both)."""
        return await self._send(reg.get_stats(prompt_id, by))

    async def compare(
        self, prompt_id: str, a: Ref, b: Ref, model: str | None = None
    ) -> dict[str, Any]:
        """Whether version (or label) ``b`` scores better than ``a``, with the evidence."""
        return await self._send(reg.compare(prompt_id, a, b, model))

    async def diff(
        self, prompt_id: str, from_: Ref | None = None, to: Ref | None = None
    ) -> dict[str, Any]:
        """What changed between two versions (default: the current one and the one before)."""
        return await self._send(reg.diff(prompt_id, from_, to))

    # --- paged listings ------------------------------------------------------------------------

    async def _walk(self, call: Call[Page[Any]]) -> AsyncIterator[Any]:
        while True:
            page = await self._send(call)
            for item in page.items:
                yield item
            if page.next is None:
                return
            call = reg.next_page(page.next)

    def iter_prompts(
        self,
        *,
        tag: str | None = None,
        model: str | None = None,
        label: str | None = None,
        sort: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncIterator[Prompt]:
        """The caller's prompts a page at a time, following the server's ``Link`` headers."""
        filters = {"tag": tag, "model": model, "label": label, "sort": sort}
        return self._walk(reg.first_page("/prompts", page_size, filters))

    def iter_logs(
        self,
        *,
        prompt_id: str | None = None,
        prompt_version: int | None = None,
        model: str | None = None,
        min_score: float | None = None,
        max_score: float | None = None,
        scored: bool | None = None,
        sort: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncIterator[Log]:
        """The caller's logs, filtered, a page at a time."""
        filters = {
            "promptId": prompt_id,
            "promptVersion": prompt_version,
            "model": model,
            "minScore": min_score,
            "maxScore": max_score,
            "scored": scored,
            "sort": sort,
        }
        return self._walk(reg.first_page("/logs", page_size, filters))

    def iter_search(
        self, query: str, *, page_size: int = DEFAULT_PAGE_SIZE
    ) -> AsyncIterator[Prompt]:
        """Search results, best first, a page at a time."""
        return self._walk(reg.first_page("/search", page_size, {"q": query}))

    def iter_versions(
        self, prompt_id: str, *, page_size: int = DEFAULT_PAGE_SIZE
    ) -> AsyncIterator[Version]:
        """The prompt's history, newest first, a page at a time."""
        path = f"{prompt_path(prompt_id)}/versions"
        return self._walk(reg.first_page(path, page_size, {}))
