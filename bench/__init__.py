"""PromptCrafter's load benchmark (issue 4).

``python -m bench`` measures the API against a bare-ASGI floor on SQLite and PostgreSQL with
1 and 2 uvicorn workers, checks search and memory, profiles the hot paths with py-spy and
writes ``bench/RESULTS.md``. See ``python -m bench --help``.
"""
