"""The fixture files here are type-checked by mypy, never imported (nor doctested)."""

collect_ignore = ["core_code.py", "user_code.py"]
